package dev.unicorn.chattemplate;

import java.util.AbstractList;
import java.util.List;

/** A Python tuple: a read-only list that prints as {@code (a, b)}. */
final class Tuple extends AbstractList<Object> {
    private final List<Object> items;

    Tuple(List<Object> items) {
        this.items = items;
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
