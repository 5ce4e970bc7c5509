package io.jreap.log.replay;

/** Just enough JSON writing for one-object-a-line output: strings escaped per RFC 8259. */
final class Json {
    private Json() {
    }

    /** Appends {@code s} as a JSON string, or {@code null}. */
    static StringBuilder string(StringBuilder b, String s) {
        if (s == null) {
            return b.append("null");
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    // Control characters must be escaped; U+2028/9 too, so a line is still one line to JavaScript.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    static StringBuilder field(StringBuilder b, String name, String value) {
        return string(sep(b).append('"').append(name).append("\":"), value);
    }

    static StringBuilder field(StringBuilder b, String name, long value) {
        return sep(b).append('"').append(name).append("\":").append(value);
    }

    static StringBuilder field(StringBuilder b, String name, boolean value) {
        return sep(b).append('"').append(name).append("\":").append(value);
    }

    private static StringBuilder sep(StringBuilder b) {
        return b.length() > 0 && b.charAt(b.length() - 1) != '{' ? b.append(',') : b;
    }
}
