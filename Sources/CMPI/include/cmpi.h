// The few MPI calls MLAN's data parallelism makes, reached through Open MPI's libmpi loaded at run time
// (dlopen), so that nothing in MLAN needs MPI's headers or libraries to build, and a process started without
// mpirun never loads it. Handles are Open MPI's (pointers to its predefined objects); MPICH's integer
// handles are not supported. Every call returns MPI's error code (0: success) unless noted.
#ifndef CMPI_H
#define CMPI_H

#include <stddef.h>

// Loads libmpi (`path` only, or libmpi.so.40 then libmpi.so when NULL) and resolves every symbol used here.
// Returns 0, or -1 with a message in `error` (at most `error_size` bytes, NUL-terminated).
int cmpi_load(const char *path, char *error, size_t error_size);

// MPI_Init_thread asking for MPI_THREAD_FUNNELED (MLAN calls MPI from one thread only); MPI_Finalize is
// registered with atexit. `provided` receives the level granted.
int cmpi_init(int *provided);
// MPI_Comm_rank and MPI_Comm_size of MPI_COMM_WORLD.
int cmpi_rank(int *rank);
int cmpi_size(int *size);
// MPI_Barrier on MPI_COMM_WORLD.
int cmpi_barrier(void);
// In-place sum across ranks (MPI_Allreduce with MPI_IN_PLACE) of `count` floats or doubles.
int cmpi_allreduce_float_sum(float *buffer, int count);
int cmpi_allreduce_double_sum(double *buffer, int count);
// MPI_Allgather of `count` floats per rank into `receive` ([size * count], rank order).
int cmpi_allgather_float(const float *send, int count, float *receive);
// MPI_Allgather of one int per rank.
int cmpi_allgather_int(int value, int *receive);
// MPI_Allgatherv of bytes: rank r's `counts[r]` bytes land at `receive + displacements[r]`.
int cmpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts, const int *displacements);
// MPI_Bcast of `count` bytes from `root`.
int cmpi_bcast_bytes(void *buffer, int count, int root);
// Non-blocking in-place float sum and float allgather; `request` receives an opaque MPI_Request.
int cmpi_iallreduce_float_sum(float *buffer, int count, void **request);
int cmpi_iallgather_float(const float *send, int count, float *receive, void **request);
// MPI_Test (`done` set to 1 when complete) and MPI_Wait of one request.
int cmpi_test(void **request, int *done);
int cmpi_wait(void **request);
// MPI_Error_string into `buffer` (at least 256 bytes).
void cmpi_error_string(int code, char *buffer);

#endif
