package dev.unicorn.frontend.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChatSettingsTest {

    @Test
    void everySettingIsSetFromText() {
        ChatSettings s = new ChatSettings();
        s.set("temperature", "0");
        s.set("top-k", "7");
        s.set("top_p", "0.5");
        s.set("min-p", "0.1");
        s.set("repetition-penalty", "1.1");
        s.set("presence-penalty", "-0.5");
        s.set("frequency-penalty", "0.25");
        s.set("seed", "42");
        s.set("max-tokens", "16");
        var p = s.sampling();
        assertEquals(0f, p.temperature());
        assertEquals(7, p.topK());
        assertEquals(0.5f, p.topP());
        assertEquals(0.1f, p.minP());
        assertEquals(1.1f, p.repetitionPenalty());
        assertEquals(-0.5f, p.presencePenalty());
        assertEquals(0.25f, p.frequencyPenalty());
        assertEquals(42L, p.seed());
        assertEquals(42L, s.sampling().seed(), "a set seed is used for every answer");
        assertEquals(16, s.maxTokens());
        assertEquals("7", s.values().get("top-k"));
        assertEquals(ChatSettings.NAMES, java.util.List.copyOf(s.values().keySet()));
    }

    @Test
    void badNamesAndValuesAreRefusedWithTheReason() {
        ChatSettings s = new ChatSettings();
        assertEquals("unknown setting 'temp'; settings: " + String.join(", ", ChatSettings.NAMES),
                assertThrows(IllegalArgumentException.class, () -> s.set("temp", "1")).getMessage());
        assertEquals("temperature expects a number, got 'hot'",
                assertThrows(IllegalArgumentException.class, () -> s.set("temperature", "hot")).getMessage());
        assertEquals("temperature must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> s.set("temperature", "-1")).getMessage());
        assertEquals("top-p must be in (0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> s.set("top-p", "1.5")).getMessage());
        assertEquals("top-k expects an integer, got '2.5'",
                assertThrows(IllegalArgumentException.class, () -> s.set("top-k", "2.5")).getMessage());
        assertEquals("max-tokens must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> s.set("max-tokens", "0")).getMessage());
        assertEquals("seed expects an integer or 'random', got 'x'",
                assertThrows(IllegalArgumentException.class, () -> s.set("seed", "x")).getMessage());
        assertEquals("0.8", s.values().get("temperature"), "a refused value leaves the setting as it was");
    }

    @Test
    void continuedLinesBecomeOneMessage() {
        assertEquals("first\nsecond", ChatConsole.joinContinued("first\\\nsecond"));
        assertEquals("a \\ b", ChatConsole.joinContinued("a \\ b"));
    }
}
