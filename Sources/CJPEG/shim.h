// libjpeg-turbo, used by MLANData/Images for JPEG decoding.
//
// libjpeg reports fatal errors through error_exit, whose default calls exit(). These wrappers install an
// error_exit that longjmps back into the wrapper that made the libjpeg call, so a corrupt or truncated file
// becomes a return code and a message, and no longjmp ever crosses a Swift frame.
#ifndef MLAN_CJPEG_SHIM_H
#define MLAN_CJPEG_SHIM_H

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// One decompression: libjpeg's state, its error manager, where errors jump to, and what went wrong.
typedef struct mlan_jpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr error_manager;
    jmp_buf jump;
    /// libjpeg's message for the fatal error or the first warning.
    char message[JMSG_LENGTH_MAX];
    /// Set when libjpeg warned that the data ended early (it then pads with an EOI marker).
    int hit_end_of_data;
    /// The number of other warnings (corrupt data libjpeg could skip).
    int warning_count;
} mlan_jpeg_decoder;

static inline void mlan_jpeg_error_exit(j_common_ptr cinfo) {
    mlan_jpeg_decoder *decoder = (mlan_jpeg_decoder *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, decoder->message);
    longjmp(decoder->jump, 1);
}

static inline void mlan_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;  // trace messages
    mlan_jpeg_decoder *decoder = (mlan_jpeg_decoder *)cinfo->client_data;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
        decoder->hit_end_of_data = 1;
    } else {
        decoder->warning_count += 1;
    }
    if (decoder->message[0] == 0) (*cinfo->err->format_message)(cinfo, decoder->message);
}

/// Creates the decompressor over `data` (which must outlive it) and reads the header up to the first scan.
/// Returns 1 on success; 0 with `message` set otherwise. Call mlan_jpeg_destroy either way.
static inline int mlan_jpeg_read_header(mlan_jpeg_decoder *decoder, const unsigned char *data, size_t size) {
    memset(decoder, 0, sizeof(*decoder));
    decoder->cinfo.err = jpeg_std_error(&decoder->error_manager);
    decoder->error_manager.error_exit = mlan_jpeg_error_exit;
    decoder->error_manager.emit_message = mlan_jpeg_emit_message;
    decoder->cinfo.client_data = decoder;
    if (setjmp(decoder->jump)) return 0;
    jpeg_create_decompress(&decoder->cinfo);
    jpeg_mem_src(&decoder->cinfo, data, (unsigned long)size);
    if (jpeg_read_header(&decoder->cinfo, TRUE) != JPEG_HEADER_OK) {
        strncpy(decoder->message, "no image in the data stream", JMSG_LENGTH_MAX - 1);
        return 0;
    }
    return 1;
}

/// Decodes every row into `pixels` (`output_components` bytes per pixel, rows packed) with libjpeg's default
/// parameters apart from `out_color_space`. Returns 1 on success; 0 with `message` set otherwise.
static inline int mlan_jpeg_decode(mlan_jpeg_decoder *decoder, J_COLOR_SPACE out_color_space,
                                   unsigned char *pixels, size_t capacity) {
    if (setjmp(decoder->jump)) return 0;
    struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
    cinfo->out_color_space = out_color_space;
    jpeg_start_decompress(cinfo);
    size_t stride = (size_t)cinfo->output_width * (size_t)cinfo->output_components;
    if (stride * (size_t)cinfo->output_height > capacity) {
        strncpy(decoder->message, "output buffer too small for the decoded image", JMSG_LENGTH_MAX - 1);
        return 0;
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = pixels + (size_t)cinfo->output_scanline * stride;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_decompress(cinfo);
    return 1;
}

/// Frees libjpeg's memory.
static inline void mlan_jpeg_destroy(mlan_jpeg_decoder *decoder) {
    jpeg_destroy_decompress(&decoder->cinfo);
}

#endif
