#ifndef CLI_CLI_H
#define CLI_CLI_H

/* Runs the `paddock` command line; returns the process exit status. */
int cli_main(int argc, char **argv);

#endif
