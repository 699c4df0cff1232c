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
    /**
     * Declarative Services reactivates this component when one of its static references is replaced (Commands
     * follows the model loader and registry): the command runs once per process, not once per activation.
     */
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    @Activate
    public LauncherMain(
            @Reference(service = Object.class, target = "(launcher.arguments=*)") Map<String, Object> launcher,
            @Reference Commands commands, @Reference CommandProcessor gogo, @Reference ServiceComponentRuntime scr,
            BundleContext context) {
        // Contributed commands (serve, chat, ...) are looked up once every bundle's components are registered.
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
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
     * has not registered it yet (its own references are satisfied only after every bundle has started, which takes
     * long on a busy machine), it is waited for, at most 60 s.
     */
    private static Command contributed(BundleContext context, ServiceComponentRuntime scr, String name)
            throws Exception {
        String filter = "(" + Command.NAME + "=" + name.replaceAll("[()*\\\\]", "") + ")";
        boolean declared = scr.getComponentDescriptionDTOs().stream()
                .anyMatch(d -> d.properties != null && name.equals(d.properties.get(Command.NAME)));
        long deadline = System.nanoTime() + (declared ? 60_000_000_000L : 0);
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
     * Waits (at most 60 s) until the launcher has started every bundle and Declarative Services has processed them:
     * a command must not run before the architectures, formats, backends and commands of the bundles started with it
     * are registered. The launcher registers its service before it starts the bundles, and a slow one (SPI Fly sets
     * up its weaving) holds back every bundle after it.
     */
    private static void awaitComponents(BundleContext context, ServiceComponentRuntime scr) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && !ready(context, scr)) {
            Thread.sleep(10);
        }
    }

    private static boolean ready(BundleContext context, ServiceComponentRuntime scr) {
        java.util.Set<String> deployedPids = deployedConfigurations(context);
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            boolean lazy = String.valueOf(b.getHeaders().get("Bundle-ActivationPolicy")).startsWith("lazy");
            if (!fragment && !lazy && b.getState() != Bundle.ACTIVE) {
                return false; // not started yet (or still starting)
            }
            if (b.getState() != Bundle.ACTIVE || b.getHeaders().get("Service-Component") == null) {
                continue;
            }
            var descriptions = scr.getComponentDescriptionDTOs(b);
            if (descriptions.isEmpty()) {
                return false;
            }
            for (ComponentDescriptionDTO d : descriptions) {
                var configurations = scr.getComponentConfigurationDTOs(d);
                if (d.defaultEnabled && configurations.isEmpty()) {
                    return false;
                }
                // A .cfg of the deploy folder for this component must have reached it (FileInstall, then
                // ConfigAdmin, then DS deliver it asynchronously): serve must not start on the defaults.
                for (String pid : d.configurationPid) {
                    if (deployedPids.contains(pid) && configurations.stream()
                            .anyMatch(c -> !pidsOf(c.properties.get("service.pid")).contains(pid))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The PIDs of the (non-factory) {@code PID.cfg} files in FileInstall's folder. */
    private static java.util.Set<String> deployedConfigurations(BundleContext context) {
        String dir = context.getProperty("felix.fileinstall.dir");
        java.util.Set<String> pids = new java.util.HashSet<>();
        if (dir == null) {
            return pids;
        }
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".cfg") && !n.contains("-"))
                    .forEach(n -> pids.add(n.substring(0, n.length() - 4)));
        } catch (java.io.IOException | RuntimeException e) {
            // no readable deploy folder: nothing to wait for
        }
        return pids;
    }

    private static List<String> pidsOf(Object value) {
        return switch (value) {
            case null -> List.of();
            case String s -> List.of(s);
            case String[] a -> List.of(a);
            case java.util.Collection<?> c -> c.stream().map(String::valueOf).toList();
            default -> List.of(String.valueOf(value));
        };
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
