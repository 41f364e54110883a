// libpng, used by MLANData/Images for PNG decode and encode.
//
// The simplified API (png_image_*) serves most layouts. mlan_png_read_stored uses the classic API to return
// samples exactly as stored (only interlacing undone), for layouts the simplified API would alter (16-bit RGBA,
// which it premultiplies). libpng reports errors by longjmp to the setjmp in that function, so no longjmp ever
// crosses a Swift frame.
#ifndef MLAN_CPNG_SHIM_H
#define MLAN_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/// The bytes libpng reads from, and libpng's message when it fails.
typedef struct mlan_png_source {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char message[256];
} mlan_png_source;

static inline void mlan_png_read_data(png_structp png, png_bytep out, png_size_t length) {
    mlan_png_source *source = (mlan_png_source *)png_get_io_ptr(png);
    if (length > source->size - source->offset) png_error(png, "the data ends early");
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static inline void mlan_png_error(png_structp png, png_const_charp message) {
    mlan_png_source *source = (mlan_png_source *)png_get_error_ptr(png);
    strncpy(source->message, message, sizeof(source->message) - 1);
    png_longjmp(png, 1);
}

static inline void mlan_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

/// Decodes the PNG in `data` into `out` as stored: `height` rows of png_get_rowbytes bytes (16-bit samples big
/// endian), interlacing undone, no other transform. Returns 1 on success; 0 with `message` (256 bytes) set.
static inline int mlan_png_read_stored(const unsigned char *data, size_t size, unsigned char *out, size_t capacity,
                                       char *message) {
    mlan_png_source source = {data, size, 0, {0}};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, mlan_png_error, mlan_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *volatile rows = NULL;
    if (!png || !info) {
        strncpy(message, "libpng could not allocate its state", 255);
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        strncpy(message, source.message[0] ? source.message : "unknown libpng error", 255);
        return 0;
    }
    png_set_read_fn(png, &source, mlan_png_read_data);
    png_read_info(png, info);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    size_t height = png_get_image_height(png, info);
    if (height == 0 || row_bytes > capacity / height) png_error(png, "output buffer too small for the image");
    rows = (png_bytep *)malloc(height * sizeof(png_bytep));
    if (!rows) png_error(png, "out of memory for row pointers");
    for (size_t y = 0; y < height; y++) rows[y] = out + y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 1;
}

#endif
