package io.meshfed.testkit.etcd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Reads the end of an etcd log file, for error messages and port-clash detection. */
final class LogTail {

    /** How many bytes of a log we ever read; etcd's zap lines are about 300 bytes each. */
    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {
    }

    /** The current size of the log, so a later read can cover only what one launch wrote. */
    static long sizeOf(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0L;
        } catch (IOException e) {
            return 0L;
        }
    }

    /** What was appended to {@code log} after byte {@code offset} (at most the last 64 KiB). */
    static String since(Path log, long offset) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(offset, file.length() - MAX_BYTES);
            byte[] bytes = new byte[(int) Math.max(0, file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The last {@code lines} lines of what was appended after {@code offset}. */
    static String lastLines(Path log, long offset, int lines) {
        List<String> all = Arrays.asList(since(log, offset).split("\\R"));
        return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
