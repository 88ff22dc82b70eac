// A fork bomb, for the /v1/exec sandbox tests (tests/server/test-exec.c): with the argument
// "go", every process forks forever and never waits, ignoring every failure, so only the
// sandbox's limits (tasks, memory, wall clock) can end it. Without it, it only says so and
// exits 0, so that running every guest program (scripts/guest-artifacts --check) is safe.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "go") != 0) {
        printf("forkbomb: give \"go\" to fork forever\n");
        return 0;
    }
    for (;;) {
        fork();
    }
}
