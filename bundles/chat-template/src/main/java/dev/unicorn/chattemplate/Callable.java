package dev.unicorn.chattemplate;

import java.util.List;
import java.util.Map;

/** Something a template may call: a global function, a bound method, a macro, {@code loop.cycle}. */
@FunctionalInterface
interface Callable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
