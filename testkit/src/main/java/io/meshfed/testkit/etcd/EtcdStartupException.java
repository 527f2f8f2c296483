package io.meshfed.testkit.etcd;

/**
 * etcd did not become ready: it exited, or it was not healthy and serving clients in time. The
 * message carries the tail of the member's log, which is where etcd explains itself.
 */
public class EtcdStartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message should already include the etcd log tail. */
    public EtcdStartupException(String message) {
        super(message);
    }

    /** Creates an exception caused by {@code cause}, e.g. an I/O error while launching. */
    public EtcdStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
