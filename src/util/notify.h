/*
 * Shell commands run for node events (-blocknotify), on a
 * thread of their own ("notify") so that no node thread ever waits on a
 * user's script.
 *
 * Threads: notify_push may be called from any thread; it copies the
 * command and never blocks. Commands run one at a time, in the order
 * pushed, through /bin/sh -c, with file descriptors above 2 closed and
 * default signal handling. At most NOTIFY_QUEUE_MAX wait; a push beyond
 * that is dropped with a warning (a script slower than the events it
 * serves must not grow memory without bound). notify_stop drops what
 * still waits and does not wait for a running command (Core detaches its
 * notify threads too); it must not race with notify_push.
 */
#ifndef BR_NOTIFY_H
#define BR_NOTIFY_H

#define NOTIFY_QUEUE_MAX 1000

struct notify;

struct notify *notify_start(void);
void notify_stop(struct notify *nt);
/* Queues tmpl with every "%s" replaced by arg. */
void notify_push(struct notify *nt, const char *tmpl, const char *arg);

#endif
