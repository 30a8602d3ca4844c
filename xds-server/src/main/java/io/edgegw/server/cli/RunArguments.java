package io.edgegw.server.cli;

import io.edgegw.server.StartWarmup;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edgegw run}'s options read without picocli, for a sidecar start: picocli takes 0.3-0.4 s of a
 * cold start (its own start-up, about 180 classes compiled for Java 5, which AppCDS does not archive,
 * their verification and static set-up), about a third of the time to the first snapshot served.
 *
 * <p>It reads the same {@code @Option} and {@code @Mixin} annotations of {@link RunCommand} and its
 * mixins, so an option added there is read here too, and it takes only what it reads exactly as picocli
 * does: {@code --name value} and {@code --name=value}, each option at most once, plain flags; defaults
 * with {@code ${env:NAME:-default}}. Anything else (help, version, an unknown option, a repeated one, a
 * value that looks like an option, quoting, a negatable or optional-value option given, a value picocli
 * would refuse) returns empty, and the caller parses with picocli, which answers or explains.
 * {@code RunArgumentsTest} checks that both fill a {@link RunCommand} alike.
 */
final class RunArguments {
  /** picocli's markers: no default value (Option#defaultValue), none given (#mapFallbackValue), null. */
  private static final String NO_DEFAULT = "__no_default_value__";
  private static final String UNSPECIFIED = "__unspecified__";
  private static final String NULL_VALUE = "_NULL_";

  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*):-([^${}]*)}");

  private RunArguments() {}

  /** {@code args} (after {@code run}) as a command ready to call, or empty when picocli must parse them. */
  static Optional<RunCommand> parse(List<String> args, StartWarmup warmup, Map<String, String> env) {
    try {
      RunCommand command = new RunCommand(warmup);
      Map<String, Target> options = new LinkedHashMap<>();
      if (!collect(command, options, env)) {
        return Optional.empty();
      }
      Set<Target> given = new HashSet<>(); // by identity: each option at most once
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        Target target = options.get(name);
        if (target == null || !given.add(target)) {
          return Optional.empty();
        }
        if (target.isFlag()) {
          if (eq >= 0) {
            return Optional.empty();
          }
          target.field.setBoolean(target.owner, true);
          continue;
        }
        if (!target.takesValue()) {
          return Optional.empty();
        }
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          return Optional.empty();
        }
        // What picocli might take as an option, an @-file to expand, or quoting to undo.
        if (value.startsWith("-") || value.startsWith("@") || value.indexOf('"') >= 0 || value.indexOf('\'') >= 0) {
          return Optional.empty();
        }
        target.field.set(target.owner, target.convert(value));
      }
      return Optional.of(command);
    } catch (Exception | LinkageError e) {
      // A value picocli would refuse, or a shape this reader does not know: picocli says what is wrong.
      return Optional.empty();
    }
  }

  /** Sets the defaults of {@code owner}'s options (and its mixins') and adds them to {@code options}. */
  private static boolean collect(Object owner, Map<String, Target> options, Map<String, String> env)
      throws Exception {
    for (Field field : owner.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      Option option = field.getAnnotation(Option.class);
      Mixin mixin = field.getAnnotation(Mixin.class);
      if (option == null && mixin == null) {
        if (field.getDeclaredAnnotations().length > 0) {
          return false; // @Spec, @Parameters, @ArgGroup, ...: picocli's
        }
        continue;
      }
      field.setAccessible(true);
      if (mixin != null) {
        Object inner = field.get(owner);
        if (inner == null) {
          Constructor<?> make = field.getType().getDeclaredConstructor();
          make.setAccessible(true);
          inner = make.newInstance();
          field.set(owner, inner);
        }
        if (!collect(inner, options, env)) {
          return false;
        }
        continue;
      }
      if (option.required() || option.interactive() || option.type().length > 0
          || option.converter().length > 1 || !option.mapFallbackValue().equals(UNSPECIFIED)
          || option.defaultValue().equals(NULL_VALUE)) {
        return false;
      }
      Target target = new Target(owner, field, option);
      if (!option.defaultValue().equals(NO_DEFAULT)) {
        field.set(owner, target.convert(interpolate(option.defaultValue(), env)));
      } else if (field.getType() == Optional.class) {
        field.set(owner, Optional.empty());
      }
      for (String name : option.names()) {
        if (options.put(name, target) != null) {
          return false;
        }
      }
    }
    return true;
  }

  private static String interpolate(String value, Map<String, String> env) {
    Matcher m = ENV_DEFAULT.matcher(value);
    if (m.matches()) {
      String set = env.get(m.group(1));
      if (set != null && set.isEmpty()) {
        throw new IllegalArgumentException("empty " + m.group(1) + ": picocli's to read");
      }
      return set != null ? set : m.group(2);
    }
    if (value.contains("${")) {
      throw new IllegalArgumentException("interpolation this reader does not do: " + value);
    }
    return value;
  }

  /** One option's field. */
  private static final class Target {
    final Object owner;
    final Field field;
    final Option option;

    Target(Object owner, Field field, Option option) {
      this.owner = owner;
      this.field = field;
      this.option = option;
    }

    /** A plain flag: a boolean that is set by its name alone. */
    boolean isFlag() {
      return field.getType() == boolean.class && option.arity().isEmpty() && !option.negatable();
    }

    /** An option that takes exactly one value after its name (split into several by picocli's split, if any). */
    boolean takesValue() {
      return field.getType() != boolean.class && field.getType() != Boolean.class && option.arity().isEmpty()
          && !option.negatable();
    }

    Object convert(String value) throws Exception {
      Class<?> type = field.getType();
      if (option.converter().length == 1) {
        if (!option.split().isEmpty()) {
          throw new IllegalArgumentException("a converter with split");
        }
        Constructor<? extends ITypeConverter<?>> make = option.converter()[0].getDeclaredConstructor();
        make.setAccessible(true);
        try {
          return make.newInstance().convert(value);
        } catch (Exception e) {
          throw new IllegalArgumentException(e);
        }
      }
      if (type == List.class || type == Map.class) {
        String[] parts = option.split().equals(",") ? value.split(",", -1) : new String[] {value};
        if (!option.split().isEmpty() && !option.split().equals(",")) {
          throw new IllegalArgumentException("split " + option.split());
        }
        Type[] args = ((ParameterizedType) field.getGenericType()).getActualTypeArguments();
        if (type == List.class) {
          List<Object> list = new ArrayList<>();
          for (String part : parts) {
            list.add(scalar((Class<?>) args[0], part));
          }
          return list;
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (String part : parts) {
          int eq = part.indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException("not KEY=VALUE: " + part);
          }
          map.put(scalar((Class<?>) args[0], part.substring(0, eq)),
              scalar((Class<?>) args[1], part.substring(eq + 1)));
        }
        return map;
      }
      if (!option.split().isEmpty()) {
        throw new IllegalArgumentException("split of a single value");
      }
      if (type == Optional.class) {
        Type inner = ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
        return Optional.of(scalar((Class<?>) inner, value));
      }
      return scalar(type, value);
    }

    /** As picocli's built-in converters. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object scalar(Class<?> type, String value) throws Exception {
      if (type == String.class) {
        return value;
      }
      if (type == int.class || type == Integer.class) {
        return Integer.valueOf(value);
      }
      if (type == long.class || type == Long.class) {
        return Long.valueOf(value);
      }
      if (type == boolean.class || type == Boolean.class) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("not a boolean: " + value);
        }
        return Boolean.valueOf(value);
      }
      if (type == Path.class) {
        return Path.of(value);
      }
      if (type == URI.class) {
        return new URI(value);
      }
      if (type.isEnum()) {
        return Enum.valueOf((Class) type, value);
      }
      throw new IllegalArgumentException("a type this reader does not convert: " + type);
    }
  }
}
