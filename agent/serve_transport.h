#ifndef AGENT_SERVE_TRANSPORT_H
#define AGENT_SERVE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How serve.c moves bytes on one client connection. Internal to serve*.c.
 *
 * serve.c only ever calls these operations, never recv/send/sendfile on a client socket, so
 * serve_tls.c can supply another table: userspace TLS (SSL_read/SSL_write, the body read from
 * the file into a buffer) or kTLS (SSL_sendfile once the kernel holds the keys). TLS adds a
 * handshake operation, run in a state before the first request head, and may answer a read
 * with SERVE_IO_WANT_WRITE (or a write with SERVE_IO_WANT_READ); serve.c registers for both
 * directions edge-triggered and retries on either event, so those cases need no new states. */

enum serve_io {
    SERVE_IO_OK = 0,     /* *done > 0 bytes moved */
    SERVE_IO_WANT_READ,  /* would block until the socket is readable */
    SERVE_IO_WANT_WRITE, /* would block until the socket is writable */
    SERVE_IO_EOF,        /* read: the peer closed; sendfile: the file ended early */
    SERVE_IO_ERR,        /* the connection is broken (errno says why) */
};

/* Per-connection transport state, embedded in serve.c's connection. */
struct serve_xport {
    const struct serve_transport *ops;
    int fd;    /* the client socket; closed by serve.c, not by ops->close */
    void *tls; /* serve_tls.c's per-connection state; NULL for plain HTTP */
};

struct serve_transport {
    const char *name; /* logged at start: "sendfile, plain HTTP" */
    enum serve_io (*read)(struct serve_xport *x, void *buf, size_t len, size_t *done);
    /* more: further bytes follow at once (a body after the header): coalesce them */
    enum serve_io (*write)(struct serve_xport *x, const void *buf, size_t len, bool more,
                           size_t *done);
    /* Send up to len bytes of file_fd starting at off. */
    enum serve_io (*sendfile)(struct serve_xport *x, int file_fd, uint64_t off, size_t len,
                              size_t *done);
    /* No more output: FIN (TLS: close_notify first). Errors are ignored, the socket is
     * only read and then closed afterwards. */
    void (*shutdown)(struct serve_xport *x);
    /* Free the transport's own state (not the socket). */
    void (*close)(struct serve_xport *x);
};

/* The plain-HTTP transport: recv(2), send(2) with MSG_MORE, sendfile(2). */
const struct serve_transport *serve_transport_plain(void);

#endif
