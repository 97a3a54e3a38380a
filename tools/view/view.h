/* rigsync view: the live viewer (tools/view/view.c). */
#ifndef RIGSYNC_VIEW_H
#define RIGSYNC_VIEW_H

int cli_view(int argc, char **argv);

#endif
