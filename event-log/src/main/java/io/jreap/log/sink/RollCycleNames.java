package io.jreap.log.sink;

import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/** Chronicle roll cycles by name, with a message that lists the choices. */
final class RollCycleNames {
    private RollCycleNames() {
    }

    static RollCycle resolve(String name) {
        for (RollCycles c : RollCycles.values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        for (TestRollCycles c : TestRollCycles.values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        List<String> names = new ArrayList<>();
        for (RollCycles c : RollCycles.values()) {
            names.add(c.name());
        }
        throw new IllegalArgumentException("roll cycle " + name + " is not one of " + String.join(", ", names)
                + " (Chronicle Queue's RollCycles)");
    }
}
