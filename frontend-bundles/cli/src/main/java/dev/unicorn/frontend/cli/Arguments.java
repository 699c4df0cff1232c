package dev.unicorn.frontend.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and {@code --flag}s of one command, checked against what the command accepts. */
final class Arguments {
    private final String command;
    private final Map<String, List<String>> values = new HashMap<>();
    private final Set<String> flags;

    Arguments(String command, List<String> args, Set<String> valueOptions, Set<String> flagOptions) {
        this.command = command;
        this.flags = new java.util.HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.startsWith("--") ? a.substring(2) : null;
            String inline = null;
            if (name != null && name.contains("=")) {
                inline = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && flagOptions.contains(name) && inline == null) {
                flags.add(name);
            } else if (name != null && valueOptions.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": option --" + name + " needs a value");
                    }
                    v = args.get(++i);
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else {
                throw new UsageException(command + ": unknown argument '" + a + "'; options: "
                        + valueOptions.stream().sorted().map(o -> "--" + o + " V").toList() + " "
                        + flagOptions.stream().sorted().map(o -> "--" + o).toList());
            }
        }
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return v.get(v.size() - 1);
    }

    String string(String name, String defaultValue) {
        return has(name) ? string(name) : defaultValue;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    int integer(String name, int defaultValue, int min) {
        if (!has(name)) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(string(name).trim());
            if (v < min) {
                throw new UsageException(command + ": --" + name + " must be >= " + min + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects an integer, got '" + string(name) + "'");
        }
    }

    long longValue(String name, long defaultValue) {
        if (!has(name)) {
            return defaultValue;
        }
        try {
            return Long.parseLong(string(name).trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects an integer, got '" + string(name) + "'");
        }
    }

    float number(String name, float defaultValue) {
        if (!has(name)) {
            return defaultValue;
        }
        try {
            float v = Float.parseFloat(string(name).trim());
            if (!Float.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects a number, got '" + string(name) + "'");
        }
    }

    /** Comma-separated token ids. */
    int[] ids(String name) {
        String text = string(name).trim();
        if (text.isEmpty()) {
            throw new UsageException(command + ": --" + name + " is empty; expected ids like 1,2,3");
        }
        String[] parts = text.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException(command + ": --" + name + " has '" + parts[i] + "', not a token id");
            }
            if (ids[i] < 0) {
                throw new UsageException(command + ": --" + name + " has negative id " + ids[i]);
            }
        }
        return ids;
    }

    /** A command line the user got wrong: exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
