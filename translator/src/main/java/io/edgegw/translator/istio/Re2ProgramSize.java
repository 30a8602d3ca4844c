package io.edgegw.translator.istio;

import com.google.re2j.Pattern;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An upper estimate of the program size Envoy's RE2 (C++) gives a regex, which Envoy compares with
 * {@code re2.max_program_size.error_level}. re2j compiles the same syntax into a program of the same
 * shape, one instruction per RE2 instruction, except that C++ RE2 matches UTF-8 bytes where re2j matches
 * runes: a character class becomes several byte-range instructions there. So each re2j instruction
 * counts 1, and a class counts 1 per ASCII range and 4 per other range the first time it occurs (C++ RE2
 * caches the shared byte suffixes of a class, so a repeated class costs much less), at most 16 after.
 * Measured against Envoy 1.40 in docs/resilience.md ("Envoy's limits"): never below Envoy's size.
 *
 * <p>re2j keeps its program private; it is read by reflection, and {@code Re2ProgramSizeTest} fails if
 * a re2j upgrade moves it.
 */
final class Re2ProgramSize {
  /** What C++ RE2 adds to every program (its fail instruction and the unanchored start loop). */
  private static final int BASE = 2;
  private static final int NON_ASCII_RANGE = 4;
  private static final int REPEATED_CLASS_CAP = 16;
  /** re2j's Inst opcodes for the instructions that match a character. */
  private static final int RUNE = 8;
  private static final int RUNE1 = 9;
  private static final int RUNE_ANY = 10;
  private static final int RUNE_ANY_NOT_NL = 11;
  private static final Reflection REFLECTION = Reflection.find();

  private Re2ProgramSize() {}

  /** The estimate for a regex that compiles in re2j; empty if re2j's internals could not be read. */
  static OptionalInt estimate(String regex) {
    if (REFLECTION == null) {
      return OptionalInt.empty();
    }
    Object[] instructions;
    try {
      instructions = REFLECTION.instructions(Pattern.compile(regex));
    } catch (ReflectiveOperationException e) {
      return OptionalInt.empty();
    }
    long size = BASE;
    Set<String> seenClasses = new HashSet<>();
    for (Object inst : instructions) {
      if (inst == null) {
        continue;
      }
      int op;
      int[] runes;
      try {
        op = REFLECTION.op.getInt(inst);
        runes = (int[]) REFLECTION.runes.get(inst);
      } catch (IllegalAccessException e) {
        return OptionalInt.empty();
      }
      size += switch (op) {
        case RUNE_ANY, RUNE_ANY_NOT_NL -> 1 + NON_ASCII_RANGE;
        case RUNE, RUNE1 -> classCost(runes, seenClasses);
        default -> 1;
      };
    }
    return OptionalInt.of((int) Math.min(size, Integer.MAX_VALUE));
  }

  private static int classCost(int[] runes, Set<String> seenClasses) {
    if (runes == null || runes.length == 0) {
      return 1;
    }
    int cost = 0;
    if (runes.length == 1) {
      cost = runes[0] < 0x80 ? 1 : NON_ASCII_RANGE;
    } else {
      for (int i = 0; i + 1 < runes.length; i += 2) {
        cost += runes[i + 1] < 0x80 ? 1 : NON_ASCII_RANGE;
      }
    }
    boolean first = seenClasses.add(Arrays.toString(runes));
    return first ? cost : Math.min(cost, REPEATED_CLASS_CAP);
  }

  /** re2j's private fields: Pattern.re2, RE2.prog, Prog.inst and instSize, Inst.op and runes. */
  private record Reflection(Field re2, Field prog, Field inst, Field instSize, Field op, Field runes) {
    static Reflection find() {
      try {
        Field re2 = accessible(Pattern.class.getDeclaredField("re2"));
        Class<?> re2Class = re2.getType();
        Field prog = accessible(re2Class.getDeclaredField("prog"));
        Class<?> progClass = prog.getType();
        Field inst = accessible(progClass.getDeclaredField("inst"));
        Field instSize = accessible(progClass.getDeclaredField("instSize"));
        Class<?> instClass = inst.getType().getComponentType();
        return new Reflection(re2, prog, inst, instSize, accessible(instClass.getDeclaredField("op")),
            accessible(instClass.getDeclaredField("runes")));
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    Object[] instructions(Pattern pattern) throws ReflectiveOperationException {
      Object program = prog.get(re2.get(pattern));
      Object[] all = (Object[]) inst.get(program);
      return Arrays.copyOf(all, instSize.getInt(program));
    }

    private static Field accessible(Field field) {
      field.setAccessible(true);
      return field;
    }
  }

}
