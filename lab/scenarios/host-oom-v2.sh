# host-oom-v2: a process OOM-killed in a memory cgroup (cgroup v2) with a
# drawn limit; rstscope host (from the initial namespace, --netns into the
# server's, whose network counters are quiet) must report oom-kill with its
# pid, comm, cgroup and limit, and nothing else. Skipped where the
# v2 hierarchy has no memory controller (lab_host_oom in lib.sh).
DESC="host: an OOM kill in a cgroup v2 memory cgroup, rstscope host --netns server"
CAUSE=peer-restart
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() { lab_host_oom 2; }
