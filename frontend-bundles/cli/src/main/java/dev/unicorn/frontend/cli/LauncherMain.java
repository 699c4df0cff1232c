package dev.unicorn.frontend.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import dev.unicorn.api.command.Command;

/**
 * Runs the command given to {@code ./unicorn} once the runtime has started: the bnd launcher registers itself
 * with the property {@code launcher.arguments} after every bundle has started. The process exits with the command's
 * status; {@code shell} reads Gogo commands from standard input instead.
 */
@Component(immediate = true)
public final class LauncherMain {

    @Activate
    public LauncherMain(
            @Reference(service = Object.class, target = "(launcher.arguments=*)") Map<String, Object> launcher,
            @Reference Commands commands, @Reference CommandProcessor gogo, @Reference ServiceComponentRuntime scr,
            BundleContext context) {
        // Contributed commands (serve, chat, ...) are looked up once every bundle's components are registered.
        List<String> args = List.of((String[]) launcher.get("launcher.arguments"));
        Thread main = Thread.ofPlatform().name("unicorn-main").unstarted(() -> {
            int status;
            try {
                awaitComponents(context, scr);
                Command contributed = args.isEmpty() ? null : contributed(context, scr, args.get(0));
                if (contributed != null) {
                    status = contributed.run(args.subList(1, args.size()), System.in, System.out, System.err);
                } else if (args.size() == 1 && args.get(0).equals("shell")) {
                    status = shell(gogo);
                } else {
                    status = commands.run(args, System.out, System.err);
                    if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
                        for (Command c : contributed(context)) {
                            (args.isEmpty() ? System.err : System.out).print(c.usage().stripTrailing().indent(2));
                        }
                    }
                }
            } catch (Throwable t) {
                System.err.println("error: " + t);
                status = 1;
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        });
        main.start();
    }

    /**
     * The command registered under {@code name} by some bundle, or null. When a component declares that command but
     * has not registered it yet (its own references are satisfied only after every bundle has started), it is waited
     * for, at most 10 s.
     */
    private static Command contributed(BundleContext context, ServiceComponentRuntime scr, String name)
            throws Exception {
        String filter = "(" + Command.NAME + "=" + name.replaceAll("[()*\\\\]", "") + ")";
        boolean declared = scr.getComponentDescriptionDTOs().stream()
                .anyMatch(d -> d.properties != null && name.equals(d.properties.get(Command.NAME)));
        long deadline = System.nanoTime() + (declared ? 10_000_000_000L : 0);
        while (true) {
            var refs = context.getServiceReferences(Command.class, filter);
            if (!refs.isEmpty()) {
                return context.getService(refs.iterator().next());
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            Thread.sleep(20);
        }
    }

    private static List<Command> contributed(BundleContext context) throws Exception {
        List<Command> all = new java.util.ArrayList<>();
        for (var ref : context.getServiceReferences(Command.class, null)) {
            all.add(context.getService(ref));
        }
        return all;
    }

    /**
     * Waits (at most 10 s) until Declarative Services has processed every started bundle: a command must not run
     * before the architectures, formats and backends of bundles started with it are registered.
     */
    private static void awaitComponents(BundleContext context, ServiceComponentRuntime scr) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && !ready(context, scr)) {
            Thread.sleep(10);
        }
    }

    private static boolean ready(BundleContext context, ServiceComponentRuntime scr) {
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.STARTING) {
                return false;
            }
            if (b.getState() != Bundle.ACTIVE || b.getHeaders().get("Service-Component") == null) {
                continue;
            }
            var descriptions = scr.getComponentDescriptionDTOs(b);
            if (descriptions.isEmpty()) {
                return false;
            }
            for (ComponentDescriptionDTO d : descriptions) {
                if (d.defaultEnabled && scr.getComponentConfigurationDTOs(d).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int shell(CommandProcessor gogo) throws Exception {
        // Gogo replaces System.out with a per-thread redirection: give the session the process's own streams.
        java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        java.io.PrintStream err = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        CommandSession session = gogo.createSession(new java.io.FileInputStream(java.io.FileDescriptor.in), out, err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.print("unicorn> ");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                // nothing to run
            } else if (line.trim().equals("exit")) {
                break;
            } else {
                try {
                    Object result = session.execute(line);
                    if (result != null) {
                        System.out.println(session.format(result, Converter.INSPECT));
                    }
                } catch (Exception e) {
                    System.err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    if (Boolean.getBoolean("unicorn.debug")) {
                        e.printStackTrace();
                    }
                }
            }
            System.out.print("unicorn> ");
            System.out.flush();
        }
        System.out.println();
        return 0;
    }
}
