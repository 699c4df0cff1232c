package dev.unicorn.frontend.cli;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The same commands in the Gogo shell: {@code unicorn:generate --model DIR --prompt "..."}. */
@Component(service = GogoCommands.class, property = {"osgi.command.scope=unicorn",
        "osgi.command.function=generate", "osgi.command.function=logits", "osgi.command.function=bench",
        "osgi.command.function=renderchat"})
public final class GogoCommands {
    private final Commands commands;

    @Activate
    public GogoCommands(@Reference Commands commands) {
        this.commands = commands;
    }

    public String generate(String... args) {
        return run("generate", args);
    }

    public String logits(String... args) {
        return run("logits", args);
    }

    public String bench(String... args) {
        return run("bench", args);
    }

    /** {@code render-chat}; Gogo function names cannot hold a '-'. */
    public String renderChat(String... args) {
        return run("render-chat", args);
    }

    /** Null on success (Gogo prints nothing), else the exit status the same command would give. */
    private String run(String command, String... args) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(0, command);
        int status = commands.run(all, System.out, System.err);
        return status == 0 ? null : "exit status " + status;
    }
}
