/*
 * The `paddock` command line: a table of subcommands, each a function taking the
 * arguments after its name. Exit statuses: 0 success, 1 the work failed, 2 usage error.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli/commands.h"
#include "paddock-version.h"
#include "vmcore/log.h"

typedef struct CliCommand {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} CliCommand;

static const CliCommand cli_commands[] = {
    {"blob", "upload files to a paddockd (blob push FILE...)", cli_cmd_blob},
    {"exec", "run a guest program on a paddockd, in its sandbox (exec FILE [ARGS...])",
     cli_cmd_exec},
    {"elf", "show the ELF header, program headers and interpreter of executables", cli_cmd_elf},
    {"run", "run a Linux program of another architecture (riscv64)", cli_cmd_run},
};

static void cli_usage(FILE *out)
{
    fprintf(out, "usage: paddock [--help | --version] COMMAND [ARGS...]\n\n"
                 "Paddock runs foreign-architecture programs and machines.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(cli_commands); i++) {
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    }
}

int cli_main(int argc, char **argv)
{
    log_init_from_env();
    const char *arch = cli_run_personality(argv[0]);
    if (arch) {
        return cli_cmd_run_as(arch, argc, argv);
    }
    if (argc < 2) {
        cli_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        cli_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("paddock %s\n", PADDOCK_VERSION);
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cli_commands); i++) {
        if (!strcmp(argv[1], cli_commands[i].name)) {
            return cli_commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "paddock: unknown command '%s' (try 'paddock --help')\n", argv[1]);
    return 2;
}
