package dev.taskjob.core.store;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} in a local directory: each key is a file under the root. A write goes to a
 * temporary file that is then renamed over the key, so a reader never sees half an object.
 */
public final class DirectoryStore implements ObjectStore {

  private final Path root;

  public DirectoryStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public void put(String key, byte[] content) {
    Path target = resolve(key);
    try {
      Files.createDirectories(target.getParent());
      Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
      Files.write(temp, content);
      try {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new StoreException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    Path file = resolve(key);
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(k -> k.startsWith(prefix))
          .sorted()
          .forEach(keys::add);
    } catch (IOException e) {
      throw new StoreException("cannot list " + root + ": " + e.getMessage(), e);
    }
    return keys;
  }

  @Override
  public void deleteAll(String prefix) {
    for (String key : list(prefix)) {
      try {
        Files.deleteIfExists(resolve(key));
      } catch (IOException e) {
        throw new StoreException("cannot delete " + resolve(key) + ": " + e.getMessage(), e);
      }
    }
    // Remove directories the deletion emptied, deepest first.
    Path top = resolve(prefix.isEmpty() ? "." : prefix);
    if (Files.isDirectory(top)) {
      try (Stream<Path> dirs = Files.walk(top)) {
        dirs.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).forEach(d -> {
          try (Stream<Path> left = Files.list(d)) {
            if (left.findAny().isEmpty() && !d.equals(root)) {
              Files.delete(d);
            }
          } catch (IOException e) {
            throw new StoreException("cannot delete " + d + ": " + e.getMessage(), e);
          }
        });
      } catch (IOException e) {
        throw new StoreException("cannot delete under " + top + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String location() {
    return root.toString();
  }

  private Path resolve(String key) {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("key '" + key + "' leaves the store's directory " + root);
    }
    return p;
  }
}
