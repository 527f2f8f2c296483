package io.meshfed.bench;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Runs one benchmark's {@code main} and then ends the JVM: clients and pools a benchmark leaves
 * behind (jetcd, HTTP clients, executors) must not keep a finished run alive, or its threads
 * would take CPU from the next run on the same machine. Exit 0 when the benchmark returned,
 * 1 when it threw (the exception is printed), 2 for a usage error.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: BenchMain <benchmark class> [args...]");
      System.exit(2);
    }
    int code = 0;
    try {
      Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      e.getCause().printStackTrace();
      code = 1;
    } catch (ReflectiveOperationException e) {
      System.err.println("no benchmark " + args[0] + ": " + e);
      code = 2;
    }
    System.out.flush();
    System.exit(code);
  }
}
