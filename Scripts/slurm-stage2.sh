#!/usr/bin/env bash
# Stage 2 (instruction tuning) of the recipe, data-parallel across Slurm nodes: one MLAN process per node, each
# using every core it was given, gradients summed over MPI (Docs/SCALING.md). Submit from the repository:
#
#   sbatch --nodes=8 Scripts/slurm-stage2.sh runs/stage2.json
#
# The stage config is the one `mlan train --config` takes (Docs/RECIPE.md): its "output" folder must be on a
# file system every node sees (rank 0 writes it; every rank reads its checkpoints to resume). The global batch
# ("global_batch_size" / "micro_batch_size" micro-batches) is cut into one contiguous share per node, so use a
# number of micro-batches per step that the node count divides. Requeued or resubmitted, the job resumes from
# the newest checkpoint, on the same or another node count.
#SBATCH --job-name=mlan-stage2
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --exclusive
#SBATCH --time=24:00:00
#SBATCH --output=mlan-stage2-%j.log
#SBATCH --requeue
set -euo pipefail
config=${1:?usage: sbatch Scripts/slurm-stage2.sh STAGE2_CONFIG.json}
mlan=${MLAN:-$(swift build -c release --show-bin-path)/mlan}
# Every core of the node to MLAN's worker pool (one process per node, so no oversubscription).
export MLAN_THREADS=${SLURM_CPUS_ON_NODE:-$(nproc)}
echo "nodes: $SLURM_JOB_NUM_NODES ($SLURM_JOB_NODELIST), threads per rank: $MLAN_THREADS"
# Open MPI's mpirun reads the allocation from Slurm; `srun --mpi=pmix "$mlan" train ...` works as well where
# Slurm's PMIx plugin matches the installed Open MPI.
mpirun -np "$SLURM_JOB_NUM_NODES" --map-by ppr:1:node --bind-to none -x MLAN_THREADS \
  "$mlan" train --config "$config" --reduction all-reduce
