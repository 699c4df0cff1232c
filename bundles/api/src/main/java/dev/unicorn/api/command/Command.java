package dev.unicorn.api.command;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A command of {@code ./unicorn}, contributed by a frontend bundle: the launcher runs the one whose
 * {@value #NAME} service property matches the first argument. Commands come and go with their bundles.
 */
@ConsumerType
public interface Command {

    /** Service property: the command's name, e.g. {@code serve}. */
    String NAME = "unicorn.command";

    /** One usage line or a few, for {@code ./unicorn help}. */
    String usage();

    /**
     * Runs the command to its end (an interactive command returns when its user leaves).
     *
     * @param args the arguments after the command's name
     * @return the exit status: 0 ok, 1 failed, 2 usage error
     */
    int run(List<String> args, InputStream in, PrintStream out, PrintStream err);
}
