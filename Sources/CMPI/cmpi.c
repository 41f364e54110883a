// Run-time binding to Open MPI's libmpi: prototypes declared here (no mpi.h), symbols found with dlsym.
#define _GNU_SOURCE
#include "cmpi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Open MPI's handles are pointers to predefined objects; MPI_IN_PLACE is (void *) 1; MPI_STATUS_IGNORE is 0.
typedef void *Handle;
#define IN_PLACE ((void *)1)
#define THREAD_FUNNELED 1

static int (*p_init_thread)(int *, char ***, int, int *);
static int (*p_finalize)(void);
static int (*p_finalized)(int *);
static int (*p_comm_rank)(Handle, int *);
static int (*p_comm_size)(Handle, int *);
static int (*p_barrier)(Handle);
static int (*p_allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*p_allgather)(const void *, int, Handle, void *, int, Handle, Handle);
static int (*p_allgatherv)(const void *, int, Handle, void *, const int *, const int *, Handle, Handle);
static int (*p_bcast)(void *, int, Handle, int, Handle);
static int (*p_iallreduce)(const void *, void *, int, Handle, Handle, Handle, Handle *);
static int (*p_iallgather)(const void *, int, Handle, void *, int, Handle, Handle, Handle *);
static int (*p_test)(Handle *, int *, void *);
static int (*p_wait)(Handle *, void *);
static int (*p_error_string)(int, char *, int *);
static Handle comm_world, type_float, type_double, type_int, type_byte, op_sum;

static int resolve(void *library, const char *name, void **slot, char *error, size_t error_size) {
    *slot = dlsym(library, name);
    if (*slot) return 0;
    snprintf(error, error_size, "libmpi has no symbol %s (MLAN supports Open MPI 4 and later)", name);
    return -1;
}

int cmpi_load(const char *path, char *error, size_t error_size) {
    // RTLD_GLOBAL: Open MPI's plugins, which it loads itself, resolve their symbols against libmpi.
    const char *candidates[] = {path, "libmpi.so.40", "libmpi.so"};
    void *library = NULL;
    char reasons[768] = "";
    // An explicit path is the only candidate: a wrong one must not silently load another MPI.
    for (int i = path ? 0 : 1; i < (path ? 1 : 3) && !library; i++) {
        library = dlopen(candidates[i], RTLD_NOW | RTLD_GLOBAL);
        if (!library) {
            size_t used = strlen(reasons);
            snprintf(reasons + used, sizeof reasons - used, "%s%s", used ? "; " : "", dlerror());
        }
    }
    if (!library) {
        snprintf(error, error_size, "cannot load Open MPI's libmpi (%s)", reasons);
        return -1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init_thread", (void **)&p_init_thread}, {"MPI_Finalize", (void **)&p_finalize},
        {"MPI_Finalized", (void **)&p_finalized}, {"MPI_Comm_rank", (void **)&p_comm_rank},
        {"MPI_Comm_size", (void **)&p_comm_size}, {"MPI_Barrier", (void **)&p_barrier},
        {"MPI_Allreduce", (void **)&p_allreduce}, {"MPI_Allgather", (void **)&p_allgather},
        {"MPI_Allgatherv", (void **)&p_allgatherv}, {"MPI_Bcast", (void **)&p_bcast},
        {"MPI_Iallreduce", (void **)&p_iallreduce}, {"MPI_Iallgather", (void **)&p_iallgather},
        {"MPI_Test", (void **)&p_test}, {"MPI_Wait", (void **)&p_wait},
        {"MPI_Error_string", (void **)&p_error_string},
        {"ompi_mpi_comm_world", &comm_world}, {"ompi_mpi_float", &type_float},
        {"ompi_mpi_double", &type_double}, {"ompi_mpi_int", &type_int}, {"ompi_mpi_byte", &type_byte},
        {"ompi_mpi_op_sum", &op_sum},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (resolve(library, symbols[i].name, symbols[i].slot, error, error_size) != 0) return -1;
    }
    return 0;
}

static void finalize_at_exit(void) {
    int done = 0;
    p_finalized(&done);
    if (!done) p_finalize();
}

int cmpi_init(int *provided) {
    int code = p_init_thread(NULL, NULL, THREAD_FUNNELED, provided);
    if (code == 0) atexit(finalize_at_exit);
    return code;
}

int cmpi_rank(int *rank) { return p_comm_rank(comm_world, rank); }
int cmpi_size(int *size) { return p_comm_size(comm_world, size); }
int cmpi_barrier(void) { return p_barrier(comm_world); }

int cmpi_allreduce_float_sum(float *buffer, int count) {
    return p_allreduce(IN_PLACE, buffer, count, type_float, op_sum, comm_world);
}

int cmpi_allreduce_double_sum(double *buffer, int count) {
    return p_allreduce(IN_PLACE, buffer, count, type_double, op_sum, comm_world);
}

int cmpi_allgather_float(const float *send, int count, float *receive) {
    return p_allgather(send, count, type_float, receive, count, type_float, comm_world);
}

int cmpi_allgather_int(int value, int *receive) {
    return p_allgather(&value, 1, type_int, receive, 1, type_int, comm_world);
}

int cmpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts, const int *displacements) {
    return p_allgatherv(send, count, type_byte, receive, counts, displacements, type_byte, comm_world);
}

int cmpi_bcast_bytes(void *buffer, int count, int root) { return p_bcast(buffer, count, type_byte, root, comm_world); }

int cmpi_iallreduce_float_sum(float *buffer, int count, void **request) {
    return p_iallreduce(IN_PLACE, buffer, count, type_float, op_sum, comm_world, request);
}

int cmpi_iallgather_float(const float *send, int count, float *receive, void **request) {
    return p_iallgather(send, count, type_float, receive, count, type_float, comm_world, request);
}

int cmpi_test(void **request, int *done) { return p_test(request, done, NULL); }
int cmpi_wait(void **request) { return p_wait(request, NULL); }

void cmpi_error_string(int code, char *buffer) {
    int length = 0;
    if (!p_error_string || p_error_string(code, buffer, &length) != 0) snprintf(buffer, 256, "MPI error %d", code);
}
