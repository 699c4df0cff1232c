package dev.unicorn.api.text;

/**
 * One message of a conversation.
 *
 * @param role    {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content its text
 */
public record ChatMessage(String role, String content) {
}
