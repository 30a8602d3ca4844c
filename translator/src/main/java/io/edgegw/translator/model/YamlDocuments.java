package io.edgegw.translator.model;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * The documents of a YAML (or JSON) text as Jackson trees, with anchors ({@code &a}), aliases ({@code
 * *a}) and merge keys ({@code <<: *a}) resolved as kubectl resolves them. Jackson's YAML parser gives an
 * alias as a string holding the anchor's name and drops the anchors of scalars, so this reads the YAML
 * events under its tokens: scalars keep Jackson's typing exactly, and so do its limits (size, nesting).
 *
 * <p>Aliases are bounded against "billion laughs" documents: the nodes they copy, summed over one
 * document, may not exceed {@link #MAX_ALIAS_NODES}, nor may they nest deeper than the parser's nesting
 * limit. Merge keys follow the YAML merge spec (as go-yaml v3): keys of the mapping itself win over
 * merged ones wherever they stand, and of a list of merged mappings the earlier one wins.
 */
final class YamlDocuments implements Closeable {
  /** Nodes that aliases may copy into one document; a real manifest needs a few hundred. */
  static final int MAX_ALIAS_NODES = 100_000;
  private static final String MERGE_TAG = "tag:yaml.org,2002:merge";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final YAMLFactory FACTORY = new EventFactory();

  /** An anchored node: its tree, how many nodes it has, and how deep it goes. */
  private record Anchored(JsonNode node, int size, int height) {}

  /** An open mapping or sequence. */
  private static final class Frame {
    final ContainerNode<?> node;
    final String anchor;
    final int countAtStart;
    int height;
    String field;
    boolean mergeField;
    List<ObjectNode> merges;

    Frame(ContainerNode<?> node, String anchor, int countAtStart) {
      this.node = node;
      this.anchor = anchor;
      this.countAtStart = countAtStart;
    }
  }

  private final EventParser parser;
  private final int maxDepth;
  private final Map<String, Anchored> anchors = new HashMap<>();
  private int count;
  private int aliasNodes;

  private YamlDocuments(EventParser parser) {
    this.parser = parser;
    this.maxDepth = parser.streamReadConstraints().getMaxNestingDepth();
  }

  static YamlDocuments of(String text) throws IOException {
    return new YamlDocuments((EventParser) FACTORY.createParser(text));
  }

  /** The next document; null after the last. */
  JsonNode next() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      return null;
    }
    // Anchors belong to their document (YAML 1.2, 9.1).
    anchors.clear();
    count = 0;
    aliasNodes = 0;
    return document(token);
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }

  /** One document from its first token; iterative, so depth costs no stack. */
  private JsonNode document(JsonToken first) throws IOException {
    Deque<Frame> open = new ArrayDeque<>();
    JsonToken token = first;
    while (true) {
      JsonNode done = null;
      int height = 0;
      switch (token) {
        case START_OBJECT, START_ARRAY -> {
          ContainerNode<?> node = token == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
          open.push(new Frame(node, ((CollectionStartEvent) parser.last).getAnchor(), count++));
        }
        case FIELD_NAME -> {
          Frame frame = open.peek();
          frame.field = parser.currentName();
          frame.mergeField = parser.last instanceof ScalarEvent key && isMergeKey(key);
        }
        case END_OBJECT, END_ARRAY -> {
          Frame frame = open.pop();
          if (frame.merges != null) {
            merge((ObjectNode) frame.node, frame.merges);
          }
          done = frame.node;
          height = frame.height + 1;
          if (frame.anchor != null) {
            anchors.put(frame.anchor, new Anchored(done, count - frame.countAtStart, height));
          }
        }
        default -> {
          if (parser.isCurrentAlias()) {
            Anchored anchored = alias(parser.getText(), open.size());
            done = anchored.node().deepCopy();
            height = anchored.height();
            count += anchored.size();
          } else {
            done = scalar(token);
            count++;
            String anchor = ((ScalarEvent) parser.last).getAnchor();
            if (anchor != null) {
              anchors.put(anchor, new Anchored(done, 1, 0));
            }
          }
        }
      }
      if (done != null) {
        if (open.isEmpty()) {
          return done;
        }
        add(open.peek(), done, height);
      }
      token = parser.nextToken();
      if (token == null) {
        throw new JsonParseException(parser, "unexpected end of the document");
      }
    }
  }

  private Anchored alias(String name, int depth) throws IOException {
    Anchored anchored = anchors.get(name);
    if (anchored == null) {
      // Also an alias inside its own anchor's node, which would be infinite.
      throw new JsonParseException(parser, "unknown alias *" + name + ": no complete node with anchor &" + name
          + " before it in this document");
    }
    aliasNodes += anchored.size();
    if (aliasNodes > MAX_ALIAS_NODES) {
      throw new JsonParseException(parser, "aliases expand to more than " + MAX_ALIAS_NODES
          + " nodes in one document (an alias bomb?)");
    }
    if (depth + anchored.height() > maxDepth) {
      throw new JsonParseException(parser, "aliases nest deeper than " + maxDepth + " levels");
    }
    return anchored;
  }

  private void add(Frame parent, JsonNode value, int height) throws IOException {
    parent.height = Math.max(parent.height, height);
    if (parent.node instanceof ArrayNode array) {
      array.add(value);
      return;
    }
    if (parent.mergeField) {
      if (parent.merges == null) {
        parent.merges = new ArrayList<>();
      }
      if (value instanceof ObjectNode object) {
        parent.merges.add(object);
      } else if (value instanceof ArrayNode list && allObjects(list)) {
        list.forEach(item -> parent.merges.add((ObjectNode) item));
      } else {
        throw new JsonParseException(parser, "merge key <<: needs a mapping or a list of mappings, got "
            + value.getNodeType().toString().toLowerCase(Locale.ROOT));
      }
      return;
    }
    ((ObjectNode) parent.node).set(parent.field, value);
  }

  private static boolean allObjects(ArrayNode list) {
    for (JsonNode item : list) {
      if (!item.isObject()) {
        return false;
      }
    }
    return true;
  }

  /** Keys of the mapping itself win, then the merged mappings in order. */
  private static void merge(ObjectNode into, List<ObjectNode> merges) {
    for (ObjectNode merged : merges) {
      Iterator<Map.Entry<String, JsonNode>> fields = merged.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!into.has(field.getKey())) {
          into.set(field.getKey(), field.getValue());
        }
      }
    }
  }

  /** A plain {@code <<} key (a quoted one is an ordinary key, as in YAML), or one tagged {@code !!merge}. */
  private static boolean isMergeKey(ScalarEvent key) {
    return "<<".equals(key.getValue()) && (key.isPlain() && key.getTag() == null || MERGE_TAG.equals(key.getTag()));
  }

  /** As Jackson's own tree reader builds a scalar. */
  private JsonNode scalar(JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
        case INT -> NODES.numberNode(parser.getIntValue());
        case LONG -> NODES.numberNode(parser.getLongValue());
        default -> NODES.numberNode(parser.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject() instanceof byte[] bytes
          ? NODES.binaryNode(bytes) : NODES.pojoNode(parser.getEmbeddedObject());
      default -> throw new JsonParseException(parser, "unexpected " + token);
    };
  }

  /** Jackson's YAML parser, remembering the YAML event under the current token. */
  private static final class EventParser extends YAMLParser {
    Event last;

    EventParser(IOContext context, int parserFeatures, int yamlFeatures, LoaderOptions options, ObjectCodec codec,
        Reader reader) {
      super(context, parserFeatures, yamlFeatures, options, codec, reader);
    }

    @Override
    protected Event getEvent() throws IOException {
      last = super.getEvent();
      return last;
    }
  }

  private static final class EventFactory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    @Override
    protected YAMLParser _createParser(Reader reader, IOContext context) throws IOException {
      return new EventParser(context, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
    }

    @Override
    protected YAMLParser _createParser(char[] data, int offset, int length, IOContext context, boolean recyclable)
        throws IOException {
      return _createParser(new CharArrayReader(data, offset, length), context);
    }
  }
}
