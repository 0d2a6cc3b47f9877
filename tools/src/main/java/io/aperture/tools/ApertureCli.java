package io.aperture.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code aperture} command: inspects the channels of a section directory (list, stat, tail, errors) and removes
 * what dead processes left there (clean). Every section is mapped read-only; nothing is written into a live channel.
 */
@Command(name = "aperture", mixinStandardHelpOptions = true, versionProvider = ApertureCli.Version.class,
    description = "Inspects the Aperture channels of a section directory, read-only.",
    subcommands = {ListCommand.class, StatCommand.class, TailCommand.class, CleanCommand.class, ErrorsCommand.class,
        CommandLine.HelpCommand.class})
public final class ApertureCli implements Runnable {
    /** Exit code when a channel is missing, unreadable or corrupt. */
    static final int EXIT_PROBLEM = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The root command, which prints its usage when run without a subcommand; {@link #commandLine()} wraps one. */
    public ApertureCli() {
    }

    /**
     * Runs the tool and exits with its code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The {@code aperture} command line with its subcommands, enum options case-insensitive.
     *
     * @return the command line, ready to execute (tests set its output streams)
     */
    public static CommandLine commandLine() {
        return new CommandLine(new ApertureCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version of the jar, from its manifest when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ApertureCli.class.getPackage().getImplementationVersion();
            return new String[] {"aperture " + (version == null ? "(development build)" : version)};
        }
    }
}
