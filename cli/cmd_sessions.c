/* placeholder */
#include "cli.h"
int cmd_sessions(int argc, char **argv) { (void)argc; (void)argv; return 5; }
int cmd_session(int argc, char **argv) { (void)argc; (void)argv; return 5; }
