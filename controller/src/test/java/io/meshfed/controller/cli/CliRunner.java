package io.meshfed.controller.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the real CLI in-process with captured stdout/stderr and a given environment. */
public final class CliRunner {
  private final Map<String, String> env;

  public CliRunner(Map<String, String> env) {
    this.env = env;
  }

  /** The outcome of one command line. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit=" + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
    return new Result(code, out.toString(), err.toString());
  }
}
