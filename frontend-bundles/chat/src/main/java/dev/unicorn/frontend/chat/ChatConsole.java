package dev.unicorn.frontend.chat;

import java.io.PrintWriter;

/** Where a chat reads its user's lines and writes its answers: a terminal (JLine) or plain streams (piped). */
interface ChatConsole extends AutoCloseable {

    /**
     * The next input, several lines when the user continued one with a trailing {@code \}.
     *
     * @return null at the end of input (Ctrl-D)
     * @throws Interrupted when the user pressed Ctrl-C at the prompt
     */
    String readLine() throws Interrupted;

    /** Answers and messages. */
    PrintWriter out();

    /** Diagnostics that are not part of the conversation (per-answer figures when piped). */
    PrintWriter err();

    /** Whether a person is typing (a terminal) rather than a pipe. */
    boolean interactive();

    /**
     * Runs {@code task} with Ctrl-C routed to {@code onInterrupt} instead of ending the process (a terminal only;
     * piped input has no Ctrl-C of its own).
     */
    <T> T interruptible(Runnable onInterrupt, java.util.concurrent.Callable<T> task) throws Exception;

    @Override
    void close();

    /** Ctrl-C at the prompt: the line typed so far is dropped. */
    final class Interrupted extends Exception {
        private static final long serialVersionUID = 1L;

        Interrupted() {
            super("interrupted", null, false, false);
        }
    }

    /** Joins lines continued with a trailing backslash: the backslash and line break become one line break. */
    static String joinContinued(String text) {
        return text.replace("\\\r\n", "\n").replace("\\\n", "\n");
    }
}
