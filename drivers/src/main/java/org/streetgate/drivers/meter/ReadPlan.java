package org.streetgate.drivers.meter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Groups a meter's registers into as few reads as the protocol and {@code maxGap} allow. */
public record ReadPlan(List<Block> blocks) {
    /** One FC03/FC04 read covering {@code registers}. */
    public record Block(int function, int start, int count, List<MeterRegister> registers) {}

    private static final int MAX_READ = 125;

    public static ReadPlan of(List<MeterRegister> registers, int maxGap) {
        List<Block> blocks = new ArrayList<>();
        for (int function : new int[] {3, 4}) {
            List<MeterRegister> regs = registers.stream().filter(r -> r.function() == function)
                    .sorted(Comparator.comparingInt(MeterRegister::address)).toList();
            int start = -1;
            int end = -1;
            List<MeterRegister> current = new ArrayList<>();
            for (MeterRegister r : regs) {
                boolean fits = start >= 0 && r.address() - end <= maxGap && Math.max(end, r.end()) - start <= MAX_READ;
                if (!fits) {
                    if (start >= 0) {
                        blocks.add(new Block(function, start, end - start, List.copyOf(current)));
                    }
                    start = r.address();
                    end = r.end();
                    current.clear();
                }
                end = Math.max(end, r.end());
                current.add(r);
            }
            if (start >= 0) {
                blocks.add(new Block(function, start, end - start, List.copyOf(current)));
            }
        }
        return new ReadPlan(List.copyOf(blocks));
    }
}
