package dev.unicorn.chattemplate;

import java.util.List;

/** The {@code loop} variable of a for loop. */
final class LoopContext {
    final List<Object> items;
    int index0;
    private Object lastChanged = new Object();

    LoopContext(List<Object> items) {
        this.items = items;
    }

    Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index0" -> (long) index0;
            case "index" -> (long) index0 + 1;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : new Undefined("there is no next item");
            case "cycle" -> (Callable) (args, kw) -> {
                if (args.isEmpty()) {
                    throw new TemplateException("no items for cycling given");
                }
                return args.get(index0 % args.size());
            };
            case "changed" -> (Callable) (args, kw) -> {
                Object key = new Tuple(List.copyOf(args));
                if (!Py.eq(key, lastChanged)) {
                    lastChanged = key;
                    return true;
                }
                return false;
            };
            default -> Attributes.MISSING;
        };
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
