/* serve_transport.c - the plain-HTTP transport of the file server: bytes go straight to the
 * socket, bodies with sendfile(2). serve_tls.c will provide the TLS and kTLS tables with the
 * same operations (serve_transport.h). */
#include "serve_transport.h"

#include <errno.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>

static enum serve_io
io_errno(void)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return SERVE_IO_WANT_WRITE;
    return SERVE_IO_ERR;
}

static enum serve_io
plain_read(struct serve_xport *x, void *buf, size_t len, size_t *done)
{
    ssize_t n;

    *done = 0;
    do {
        n = recv(x->fd, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        *done = (size_t)n;
        return SERVE_IO_OK;
    }
    if (n == 0)
        return SERVE_IO_EOF;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return SERVE_IO_WANT_READ;
    return SERVE_IO_ERR;
}

static enum serve_io
plain_write(struct serve_xport *x, const void *buf, size_t len, bool more, size_t *done)
{
    ssize_t n;

    *done = 0;
    do {
        /* MSG_NOSIGNAL: a client that went away is an error return, not SIGPIPE. */
        n = send(x->fd, buf, len, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        *done = (size_t)n;
        return n > 0 ? SERVE_IO_OK : SERVE_IO_WANT_WRITE;
    }
    return io_errno();
}

static enum serve_io
plain_sendfile(struct serve_xport *x, int file_fd, uint64_t off, size_t len, size_t *done)
{
    off_t pos = (off_t)off;
    ssize_t n;

    *done = 0;
    do {
        n = sendfile(x->fd, file_fd, &pos, len);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        *done = (size_t)n;
        return SERVE_IO_OK;
    }
    if (n == 0)
        return SERVE_IO_EOF; /* the file is shorter than it was when we sized the response */
    return io_errno();
}

static void
plain_shutdown(struct serve_xport *x)
{
    (void)shutdown(x->fd, SHUT_WR);
}

static void
plain_close(struct serve_xport *x)
{
    x->tls = NULL;
}

static const struct serve_transport plain = {
    .name = "sendfile, plain HTTP",
    .read = plain_read,
    .write = plain_write,
    .sendfile = plain_sendfile,
    .shutdown = plain_shutdown,
    .close = plain_close,
};

const struct serve_transport *
serve_transport_plain(void)
{
    return &plain;
}
