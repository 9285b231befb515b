package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrecedenceTest {

    @ParameterizedTest(name = "{0}@{1} over held {2}@{3}: {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # news  | inc | held    | inc | wins
            ALIVE   | 2   | SUSPECT | 1   | true
            ALIVE   | 1   | SUSPECT | 1   | false
            ALIVE   | 2   | DEAD    | 1   | true
            ALIVE   | 1   | DEAD    | 1   | false
            ALIVE   | 2   | LEFT    | 1   | true
            ALIVE   | 1   | LEFT    | 1   | false
            ALIVE   | 2   | ALIVE   | 1   | true
            ALIVE   | 1   | ALIVE   | 1   | false
            SUSPECT | 1   | ALIVE   | 1   | true
            SUSPECT | 2   | ALIVE   | 1   | true
            SUSPECT | 0   | ALIVE   | 1   | false
            SUSPECT | 1   | SUSPECT | 1   | false
            SUSPECT | 2   | SUSPECT | 1   | true
            SUSPECT | 1   | DEAD    | 1   | false
            DEAD    | 1   | ALIVE   | 1   | true
            DEAD    | 1   | SUSPECT | 1   | true
            DEAD    | 0   | SUSPECT | 1   | false
            DEAD    | 1   | DEAD    | 1   | false
            DEAD    | 1   | LEFT    | 1   | false
            LEFT    | 1   | ALIVE   | 1   | true
            LEFT    | 1   | DEAD    | 1   | true
            LEFT    | 1   | LEFT    | 1   | false
            LEFT    | 0   | ALIVE   | 1   | false
            """)
    void swimPrecedence(MemberState news, long newInc, MemberState held, long heldInc, boolean wins) {
        assertEquals(wins, Precedence.overrides(news, newInc, held, heldInc));
    }
}
