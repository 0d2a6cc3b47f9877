package io.aperture.internal.section;

import io.aperture.ApertureException;
import io.aperture.ChannelOptions;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * How a section comes to exist under its name: the creation part of {@link SectionPlatform}, which chooses the store
 * ({@link SectionPlatform#store}). A store makes a section complete under no name ({@link NewSection#mapPath()} is
 * where its owner maps it), then gives it its name in one atomic step that fails when the name is taken, so that a
 * peer that finds the name finds a complete section and two creators cannot both win. Peers open a section by its
 * name alone, whichever store made it: {@link SectionPlatform#open} follows what the name is (a file, or a link to a
 * sealed memory) and validates it.
 *
 * <p>Two stores on Linux, chosen by {@link ChannelOptions#sections()}: {@link #FILES} (a file in the section
 * directory, written under a temporary name and hard-linked to its own, the design everywhere) and {@link #SEALED}
 * (Linux: a sealed memfd, {@link SealedMemory}, whose name in the directory is a symbolic link to
 * {@code /proc/<pid>/fd/<n>} of its owner: no process can truncate it, and the name dangles as soon as the owner is
 * gone). A Windows store would make a named file-mapping object here (docs/architecture.md, §2.1); the ring above
 * would not change.
 */
public interface SectionStore {
    /** Files in the section directory. */
    SectionStore FILES = new SectionStore() {
        @Override
        public NewSection create(Path directory, String baseName, long length) {
            Path temporary = ChannelFiles.createTemporary(directory, baseName, length);
            return new NewSection() {
                @Override
                public Path mapPath() {
                    return temporary;
                }

                @Override
                public boolean publish(Path target) {
                    return ChannelFiles.linkIntoPlace(temporary, target);
                }

                @Override
                public AutoCloseable keep() {
                    return null; // the name now holds the file
                }

                @Override
                public void close() {
                    ChannelFiles.deleteQuietly(temporary);
                }
            };
        }

        @Override
        public String toString() {
            return "files";
        }
    };

    /** Sealed memfds (Linux), named by links to their owner's descriptors. */
    SectionStore SEALED = new SectionStore() {
        @Override
        public NewSection create(Path directory, String baseName, long length) {
            int fd = SealedMemory.create(baseName, length);
            return new NewSection() {
                private boolean kept;

                @Override
                public Path mapPath() {
                    return Path.of("/proc/self/fd/" + fd);
                }

                @Override
                public boolean publish(Path target) {
                    Path owner = ChannelFiles.sealedLinkTarget(ProcessHandle.current().pid(), fd);
                    try {
                        java.nio.file.Files.createSymbolicLink(target, owner);
                        return true;
                    } catch (FileAlreadyExistsException e) {
                        return false;
                    } catch (IOException | UnsupportedOperationException e) {
                        throw new ApertureException("cannot link sealed section " + baseName + " to " + target + ": "
                            + e, e);
                    }
                }

                @Override
                public AutoCloseable keep() {
                    kept = true;
                    return () -> SealedMemory.release(fd); // the link points at this descriptor: open while named
                }

                @Override
                public void close() {
                    if (!kept) {
                        SealedMemory.release(fd);
                    }
                }
            };
        }

        @Override
        public String toString() {
            return "sealed memory";
        }
    };

    /**
     * A new section of {@code length} zero bytes, writable by its owner, under no name yet.
     *
     * @throws ApertureException when the system refuses it, naming the section and the cause
     */
    NewSection create(Path directory, String baseName, long length);

    /** A section being made: complete once its owner has written it, named by {@link #publish}. */
    interface NewSection extends AutoCloseable {
        /** Where the owner maps the section (read and write) before it has a name. */
        Path mapPath();

        /** Gives the complete section the name {@code target}, only if nothing has that name: false when taken. */
        boolean publish(Path target);

        /**
         * After a successful {@link #publish}: what must stay open while the section is named (the owner closes it
         * last, after removing the name), or null when nothing must.
         */
        AutoCloseable keep();

        /** Discards what was not kept: a temporary file, or a descriptor never published. */
        @Override
        void close();
    }
}
