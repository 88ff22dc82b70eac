#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

/* The subcommands of `paddock`; each takes its own name as argv[0]. */
int cli_cmd_elf(int argc, char **argv);

#endif
