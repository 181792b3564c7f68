/* ns.h — the sandbox's namespaces and the launcher ↔ init protocol. The launcher clone3()s the
 * init into fresh pid, net, ipc, mnt, uts namespaces (cgroup namespace once it is in its group),
 * then drives it over two pipes:
 *   launcher → init (go pipe):     'A' (the init is in its cgroup), then 'G' u32 len + request
 *   init → launcher (status pipe): struct rb_msg, 'R' ready | 'E' error | 'S' program's status
 * Property 1 (namespaces: own pid tree, hostname, only lo, no host IPC). */
#pragma once
#include <stdint.h>
#include <sys/types.h>

#include "args.h"
#include "errors.h"

struct rb_msg {
    char type; /* MSG_* */
    int err;
    int status; /* MSG_STATUS: raw wait status of the program */
    char text[RB_ERR_MSG];
};
enum { MSG_READY = 'R', MSG_ERROR = 'E', MSG_STATUS = 'S' };

/* Fixed descriptors inside the init (and the program's child until execve). */
enum { INIT_GO_FD = 3, INIT_STATUS_FD = 4, INIT_OUT_FD = 5, INIT_ERR_FD = 6 };

struct sandbox {
    pid_t init;
    int go_fd;          /* write end of the go pipe */
    int status_fd;      /* read end of the status pipe */
    int out_fd, err_fd; /* read ends of the program's stdout/stderr */
};

/* Clones the init (into cgroup_fd's group when ≥ 0); the init runs init_main(). */
int ns_spawn(const struct cli *c, int cgroup_fd, struct sandbox *sb, struct rb_error *err);
int ns_send_attached(struct sandbox *sb, struct rb_error *err);
/* Reads the init's next message; EOF is reported as an error. */
int ns_read_msg(struct sandbox *sb, struct rb_msg *m, struct rb_error *err);
int ns_go(struct sandbox *sb, const char *req, uint32_t len, struct rb_error *err);
void ns_close(struct sandbox *sb);
/* --stdio-pipes: lets go of fds 0 and 1 (launcher and init), which only the program may hold. */
void ns_drop_stdio(void);

/* Init side: hostname of its own and the loopback interface up (the only one there is). */
int ns_setup_uts_net(const char *hostname, struct rb_error *err);
/* Init / program child side: report an error to the launcher (one atomic pipe write). */
void ns_send_error(const struct rb_error *e);
