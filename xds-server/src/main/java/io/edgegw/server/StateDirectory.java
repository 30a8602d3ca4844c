package io.edgegw.server;

import java.io.IOException;
import java.nio.file.StandardCopyOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owner-only storage for the state directory, which holds the Secrets' private keys (stored Secrets and
 * the served snapshot): every directory {@code 0700}, every file {@code 0600}. Files are created with
 * these permissions before a byte is written (never world-readable, whatever the umask), and
 * {@link #prepare} repairs a directory written by an older version or by hand. On a file system
 * without POSIX permissions the calls do what they can and skip the permissions.
 */
public final class StateDirectory {
  private static final Logger log = LoggerFactory.getLogger(StateDirectory.class);
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  /** What a write in progress is called; a start ignores such leftovers. */
  static final String TEMP_SUFFIX = ".tmp";
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private StateDirectory() {}

  /**
   * Creates {@code stateDir} if needed and makes it and everything under it owner-only. Symbolic links
   * are left alone (not followed). What cannot be changed (a directory owned by someone else) is logged
   * as a WARN, not fatal: the files this process creates are owner-only all the same.
   */
  public static void prepare(Path stateDir) throws IOException {
    createDirectories(stateDir);
    if (!POSIX) {
      return;
    }
    int repaired = 0;
    // The state directory itself may be a link to the real one; what lies below it is not followed.
    try (Stream<Path> walk = Files.walk(stateDir.toRealPath())) {
      for (Path path : walk.toList()) {
        PosixFileAttributes attributes;
        try {
          attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
          continue; // gone meanwhile
        }
        Set<PosixFilePermission> wanted = attributes.isDirectory() ? DIRECTORY
            : attributes.isRegularFile() ? FILE : null;
        if (wanted == null || attributes.permissions().equals(wanted)) {
          continue;
        }
        try {
          Files.setPosixFilePermissions(path, wanted);
          repaired++;
        } catch (IOException e) {
          log.warn("cannot make {} owner-only ({}): it holds private keys; fix its owner or permissions",
              path, e.toString());
        }
      }
    }
    if (repaired > 0) {
      log.warn("made {} entries of the state directory {} owner-only (0700 directories, 0600 files): they were"
          + " readable by others", repaired, stateDir);
    }
  }

  /** {@link Files#createDirectories}, each directory it creates owner-only. */
  public static Path createDirectories(Path dir) throws IOException {
    return Files.createDirectories(dir, directoryAttributes());
  }

  /**
   * Opens a new file for writing, created owner-only (an existing one is replaced): the content is
   * never readable by others, not even for the instant between creation and a later chmod.
   */
  public static FileChannel createOwnerOnly(Path file) throws IOException {
    Files.deleteIfExists(file);
    return POSIX
        ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(FILE))
        : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /**
   * Replaces {@code file} with {@code bytes} crash-safely: an owner-only temp file ({@link #TEMP_SUFFIX}),
   * fsync, atomic rename, fsync of the directory. A reader sees the old content or the new, never a mix.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    try (FileChannel channel = createOwnerOnly(temp)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(file.getParent());
  }

  /** Makes a rename in {@code dir} durable; some file systems refuse to open a directory, which is fine. */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      log.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  private static FileAttribute<?>[] directoryAttributes() {
    return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY)} : new FileAttribute<?>[0];
  }
}
