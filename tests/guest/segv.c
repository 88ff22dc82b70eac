// A store to a read-only page: the program dies of SIGSEGV after printing one line. Under
// paddock that is exit status 139 and one line on stderr naming the signal.
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    volatile int *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    printf("about to fault\n");
    fflush(stdout);
    *ro = 1;
    printf("still alive\n");
    return 0;
}
