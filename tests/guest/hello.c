// First guest program: prints "hello from <uname -m>", echoes argv, and exits with the code
// given as a decimal argv[1] (0..255) if there is one; otherwise (or if argv[1] is not a
// number) it exits with 0.
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
    struct utsname u;
    if (uname(&u) != 0) {
        perror("uname");
        return 1;
    }
    printf("hello from %s\n", u.machine);
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);

    int code = 0;
    if (argc > 1) {
        char *end;
        long v = strtol(argv[1], &end, 10);
        if (end != argv[1] && *end == '\0')
            code = (int)(v & 255);
    }
    return code;
}
