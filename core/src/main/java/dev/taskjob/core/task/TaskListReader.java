package dev.taskjob.core.task;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedInputStream;
import java.io.CharConversionException;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Streams tasks from a JSON array, JSON Lines or YAML list, plain or gzip, holding one task at a time
 * (plus 8 bytes per id for duplicate detection, see {@link TaskIdSet}).
 *
 * <p>Each element must be an object with a non-empty string {@code id} and an optional object
 * {@code data}. rms-cloud-tasks' name for the id, {@code task_id}, is accepted in its place. Errors name the element (1-based) and line and say why; see {@link TaskListException}.
 * Indexes continue from {@link Options#firstIndex()} so several lists can form one job.
 */
public final class TaskListReader implements Iterator<Task>, AutoCloseable {

  /** The id field, and the name rms-cloud-tasks' task files use for it (same meaning; one per task). */
  private static final String ID = "id";
  private static final String RMS_ID = "task_id";

  /** Longest accepted id, in characters; ids travel in queue messages and status lists. */
  public static final int MAX_ID_LENGTH = 512;

  /**
   * Reader limits.
   *
   * @param sourceName shown in error messages (file path, ConfigMap/key)
   * @param firstIndex index given to the first task
   * @param maxDecompressedBytes refuses input that expands beyond this (gzip bombs)
   * @param ids shared across several readers to find duplicates across lists, or null for a new set
   */
  public record Options(String sourceName, long firstIndex, long maxDecompressedBytes, TaskIdSet ids) {
    public static Options named(String sourceName) {
      return new Options(sourceName, 0, Long.MAX_VALUE, null);
    }

    public Options withFirstIndex(long index) {
      return new Options(sourceName, index, maxDecompressedBytes, ids);
    }

    public Options withMaxDecompressedBytes(long max) {
      return new Options(sourceName, firstIndex, max, ids);
    }

    public Options withIds(TaskIdSet shared) {
      return new Options(sourceName, firstIndex, maxDecompressedBytes, shared);
    }
  }

  // A field given twice ({"id": "a", "id": "b"}) is an error, not "last one wins".
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final ObjectMapper YAML = yamlMapper();

  private final String source;
  private final JsonParser parser;
  private final TaskListFormat format;
  private final TaskIdSet ids;
  private final InputStream input;
  private long element;
  private long nextIndex;
  private Task next;
  private boolean done;

  private TaskListReader(InputStream raw, Options options) throws IOException {
    this.source = options.sourceName();
    this.ids = options.ids() == null ? new TaskIdSet() : options.ids();
    this.nextIndex = options.firstIndex();
    BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
    InputStream decoded = isGzip(buffered) ? new BufferedInputStream(new GZIPInputStream(buffered, 64 * 1024), 64 * 1024) : buffered;
    this.input = new LimitedInputStream(decoded, options.maxDecompressedBytes(), source);
    BufferedInputStream content = new BufferedInputStream(input, 64 * 1024);
    this.format = detect(content);
    this.parser = switch (format) {
      case YAML -> new AliasRefusingParser((YAMLParser) YAML.getFactory().createParser(content));
      case JSON_ARRAY, JSON_LINES -> JSON.getFactory().createParser(content);
    };
    if (format == TaskListFormat.JSON_ARRAY) {
      parser.nextToken(); // the opening '['
    } else if (format == TaskListFormat.YAML) {
      JsonToken first;
      try {
        first = parser.nextToken();
      } catch (JsonProcessingException e) {
        throw error(errorLine(e, 0), syntaxProblem(e), e);
      }
      if (first == null) {
        done = true;
      } else if (first != JsonToken.START_ARRAY) {
        throw error(line(parser.currentTokenLocation()),
            "a YAML task list must be a sequence of tasks ('- id: ...'), found "
                + (first == JsonToken.START_OBJECT ? "a mapping" : describe(first)));
      }
    }
  }

  /** Opens a reader over a stream; the reader closes it. */
  public static TaskListReader open(InputStream in, Options options) {
    try {
      return new TaskListReader(in, options);
    } catch (TaskListException e) {
      closeQuietly(in);
      throw e;
    } catch (IOException e) {
      closeQuietly(in);
      throw new TaskListException(options.sourceName(), -1, 0, readFailure(e), e);
    }
  }

  public static TaskListReader open(Path file) throws IOException {
    return open(Files.newInputStream(file), Options.named(file.toString()));
  }

  public TaskListFormat format() {
    return format;
  }

  /** Number of tasks returned so far. */
  public long count() {
    return element;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      next = readNext();
      if (next == null) {
        done = true;
      }
    }
    return next != null;
  }

  @Override
  public Task next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Task t = next;
    next = null;
    return t;
  }

  private Task readNext() {
    try {
      JsonToken token = nextStructuralToken();
      if (token == null) {
        if (format == TaskListFormat.JSON_ARRAY) {
          throw error(0, "unexpected end of input: the JSON array is not closed with ']'");
        }
        return null;
      }
      if (token == JsonToken.END_ARRAY && format != TaskListFormat.JSON_LINES) {
        refuseTrailingContent();
        return null;
      }
      long line = line(parser.currentTokenLocation());
      if (token != JsonToken.START_OBJECT) {
        throw elementError(line, "must be an object with \"id\" and \"data\", found " + describe(token));
      }
      JsonNode node;
      try {
        node = parser.readValueAsTree();
      } catch (JsonProcessingException e) {
        throw new TaskListException(source, element, errorLine(e, line), syntaxProblem(e), e);
      }
      return toTask(node, line);
    } catch (TaskListException e) {
      done = true;
      throw e;
    } catch (JsonProcessingException e) {
      done = true;
      throw error(errorLine(e, 0), syntaxProblem(e), e);
    } catch (IOException e) {
      done = true;
      throw error(0, readFailure(e), e);
    }
  }

  /** The next token between elements, with the end of a JSON array's input named as such. */
  private JsonToken nextStructuralToken() throws IOException {
    try {
      return parser.nextToken();
    } catch (JsonEOFException e) {
      if (format == TaskListFormat.JSON_ARRAY) {
        throw error(errorLine(e, 0), "unexpected end of input: the JSON array is not closed with ']'", e);
      }
      throw e;
    }
  }

  /** After the closing ']' (or the end of the YAML sequence) only whitespace may follow. */
  private void refuseTrailingContent() throws IOException {
    String what = format == TaskListFormat.JSON_ARRAY
        ? "unexpected content after the closing ']' of the task array"
        : "unexpected content after the task sequence (a second YAML document?)";
    JsonToken after;
    try {
      after = parser.nextToken();
    } catch (JsonProcessingException e) {
      throw error(errorLine(e, 0), what, e);
    }
    if (after != null) {
      throw error(line(parser.currentTokenLocation()), what);
    }
  }

  private String syntaxProblem(JsonProcessingException e) {
    String original = String.valueOf(e.getOriginalMessage());
    if (original.contains("Invalid UTF-8")) {
      return "not valid UTF-8 text (" + original + ")";
    }
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof CharConversionException || cause instanceof CharacterCodingException) {
        return "not valid UTF-8 text (" + cause.getMessage() + ")";
      }
    }
    if (e instanceof JsonEOFException) {
      return "the input ends inside this task (a '{', '[' or '\"' is not closed)";
    }
    if (e.getCause() instanceof MarkedYAMLException yaml) {
      String context = yaml.getContext() == null ? "" : yaml.getContext() + ": ";
      return "not valid YAML: " + context + yaml.getProblem();
    }
    if (original.startsWith("Duplicate field")) {
      return "a field appears twice: " + original;
    }
    return "not valid " + formatName() + ": " + original;
  }

  private static long errorLine(JsonProcessingException e, long fallback) {
    JsonLocation loc = e.getLocation();
    long line = line(loc);
    return line > 0 ? line : fallback;
  }

  private Task toTask(JsonNode node, long line) {
    var names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.equals(ID) && !name.equals(RMS_ID) && !name.equals("data")) {
        throw elementError(line, "unknown field \"" + name + "\" (a task has \"id\" (or \"task_id\") and \"data\")");
      }
    }
    if (node.has(ID) && node.has(RMS_ID)) {
      throw elementError(line, "both \"id\" and \"task_id\" are given; they mean the same, keep one");
    }
    String idField = node.has(RMS_ID) ? RMS_ID : ID;
    JsonNode idNode = node.get(idField);
    if (idNode == null || idNode.isNull()) {
      throw elementError(line, "missing \"id\" (or \"task_id\")");
    }
    if (!idNode.isTextual()) {
      // Numbers are refused rather than converted: YAML reads `id: 010` as 8 and `id: 1e3` as 1000.0.
      throw elementError(line, "\"" + idField + "\" must be a string, found " + nodeKind(idNode)
          + (idNode.isNumber() ? " (put the id in quotes)" : ""));
    }
    String id = idNode.asText();
    String idProblem = idProblem(id);
    if (idProblem != null) {
      throw elementError(line, idProblem);
    }
    JsonNode data = node.get("data");
    if (data != null && !data.isNull() && !data.isObject()) {
      throw elementError(line, "\"data\" of task \"" + id + "\" must be an object, found " + nodeKind(data));
    }
    if (!ids.add(id)) {
      throw elementError(line, "duplicate id \"" + id + "\"");
    }
    Task task = new Task(id, data == null || data.isNull() ? null : (ObjectNode) data, nextIndex++);
    element++;
    return task;
  }

  /** Why an id is unacceptable, or null. */
  public static String idProblem(String id) {
    if (id.isEmpty()) {
      return "\"id\" is empty";
    }
    if (id.length() > MAX_ID_LENGTH) {
      return "\"id\" is longer than " + MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        return "\"id\" contains a control character (U+" + String.format("%04X", (int) c) + ")";
      }
    }
    return null;
  }

  private TaskListException elementError(long line, String reason) {
    return new TaskListException(source, element, line, reason);
  }

  private TaskListException error(long line, String reason) {
    return new TaskListException(source, -1, line, reason);
  }

  private TaskListException error(long line, String reason, Throwable cause) {
    return new TaskListException(source, -1, line, reason, cause);
  }

  private String formatName() {
    return switch (format) {
      case JSON_ARRAY -> "JSON";
      case JSON_LINES -> "JSON Lines";
      case YAML -> "YAML";
    };
  }

  private static long line(JsonLocation loc) {
    return loc == null ? 0 : Math.max(0, loc.getLineNr());
  }

  private static String nodeKind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "a list";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  private static String readFailure(IOException e) {
    if (e instanceof CharacterCodingException || String.valueOf(e.getMessage()).contains("Invalid UTF-8")) {
      return "not valid UTF-8 text";
    }
    if (e instanceof ZipException) {
      return "corrupt gzip data: " + e.getMessage();
    }
    if (e instanceof EOFException && String.valueOf(e.getMessage()).contains("ZLIB")) {
      return "corrupt gzip data: the compressed stream is truncated";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    return b1 == 0x1f && b2 == 0x8b;
  }

  private TaskListFormat detect(BufferedInputStream in) throws IOException {
    in.mark(64 * 1024);
    try {
      int c;
      int read = 0;
      do {
        c = in.read();
        read++;
        if (c == 0xEF && read == 1) { // UTF-8 byte order mark
          in.read();
          in.read();
          c = ' ';
        }
      } while (c != -1 && Character.isWhitespace(c) && read < 64 * 1024);
      if (c == '[') {
        return TaskListFormat.JSON_ARRAY;
      }
      if (c == '{') {
        return TaskListFormat.JSON_LINES;
      }
      return TaskListFormat.YAML;
    } finally {
      in.reset();
    }
  }

  private static ObjectMapper yamlMapper() {
    YAMLFactory factory = YAMLFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100).build())
        .build();
    return new YAMLMapper(factory);
  }

  @Override
  public void close() {
    try {
      parser.close();
      input.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // already failing; the original error is more useful
    }
  }

  /**
   * Refuses YAML aliases ({@code *name}). Jackson does not expand them but returns the anchor's name as
   * a string, which would silently turn {@code id: *x} into the id "x"; and an alias bomb must never be
   * expanded by a later consumer. Task lists have no use for them, so the first one is an error.
   */
  private final class AliasRefusingParser extends JsonParserDelegate {
    private final YAMLParser yaml;

    AliasRefusingParser(YAMLParser yaml) {
      super(yaml);
      this.yaml = yaml;
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken token = super.nextToken();
      if (yaml.isCurrentAlias()) {
        throw elementError(line(yaml.currentTokenLocation()),
            "YAML aliases are not supported in task lists (found *" + yaml.getText() + "); write the value out");
      }
      return token;
    }

    @Override
    public JsonToken nextValue() throws IOException {
      JsonToken token = nextToken();
      return token == JsonToken.FIELD_NAME ? nextToken() : token;
    }
  }

  /** Fails once more than {@code limit} bytes were read: stops gzip bombs before they fill memory or disk. */
  private static final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private final String source;
    private long count;

    LimitedInputStream(InputStream in, long limit, String source) {
      super(in);
      this.limit = limit;
      this.source = source;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        check(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        check(n);
      }
      return n;
    }

    private void check(int n) {
      count += n;
      if (count > limit) {
        throw new TaskListException(source, -1, 0,
            "task list is larger than " + limit + " bytes once decompressed");
      }
    }
  }
}
