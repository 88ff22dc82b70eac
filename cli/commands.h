#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

/* The subcommands of `paddock`; each takes its own name as argv[0]. */
int cli_cmd_blob(int argc, char **argv);
int cli_cmd_elf(int argc, char **argv);
int cli_cmd_exec(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
/* The architecture a paddock-<arch> link names (argv[0]), or NULL for plain paddock. */
const char *cli_run_personality(const char *argv0);
/* `paddock run --arch arch` with argv[1..] as its arguments. */
int cli_cmd_run_as(const char *arch, int argc, char **argv);

#endif
