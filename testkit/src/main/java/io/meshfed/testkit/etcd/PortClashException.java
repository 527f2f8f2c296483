package io.meshfed.testkit.etcd;

/**
 * etcd exited because one of its ports was taken between our probe and its bind; the launcher
 * answers this by choosing fresh ports and trying again.
 */
final class PortClashException extends EtcdStartupException {

    private static final long serialVersionUID = 1L;

    PortClashException(String message) {
        super(message);
    }
}
