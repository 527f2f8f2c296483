package io.meshfed.testkit.etcd;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers every etcd process and temporary directory this JVM created, and removes them from a
 * shutdown hook: a test run that is interrupted, or a demo that forgets {@code stop()}, must not
 * leave etcds listening on the machine.
 */
final class ProcessReaper {

    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::reapAll, "meshfed-etcd-reaper"));
    }

    private ProcessReaper() {
    }

    static void track(Process process) {
        PROCESSES.add(process);
    }

    static void forget(Process process) {
        PROCESSES.remove(process);
    }

    static void trackDirectory(Path dir) {
        DIRECTORIES.add(dir);
    }

    static void forgetDirectory(Path dir) {
        DIRECTORIES.remove(dir);
    }

    private static void reapAll() {
        for (Process process : PROCESSES) {
            process.destroyForcibly();
        }
        for (Process process : PROCESSES) {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Path dir : DIRECTORIES) {
            try {
                TempDirs.deleteRecursively(dir);
            } catch (RuntimeException e) {
                // Best effort at JVM exit: a leftover temp dir is harmless, a crash in a hook is noise.
            }
        }
    }
}
