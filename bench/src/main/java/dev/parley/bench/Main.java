package dev.parley.bench;

/** {@code java -jar parley-bench.jar --help} */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--merge")) {
            System.exit(GeneratorMerge.run(java.util.List.of(args).subList(1, args.length), System.out, System.err));
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (IllegalArgumentException ex) {
            System.err.println("parley-bench: " + ex.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(Options.USAGE);
            return;
        }
        int code = options.abuse ? new Abuse(options, System.out, System.err).run()
                : new Bench(options, System.out, System.err).run();
        System.out.flush();
        System.exit(code);
    }
}
