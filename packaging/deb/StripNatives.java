import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar without the native libraries of platforms a board does not run (scripts/package).
 *   java StripNatives.java PLATFORM[,PLATFORM...] OUTDIR JAR...     platforms: linux-aarch64 linux-armv7 linux-x86_64
 * Prints each native library kept. A native library is any .so/.dll/.dylib/.jnilib entry; it stays only
 * under a folder listed for a chosen platform (the folder names sqlite-jdbc, jSerialComm, JNA and the
 * Pi4J libraries pick at run time).
 */
public class StripNatives {
    static final Map<String, List<String>> FOLDERS = Map.of(
            "linux-aarch64", List.of("org/sqlite/native/Linux/aarch64/", "Linux/armv8_64/", "com/sun/jna/linux-aarch64/", "lib/aarch64/"),
            "linux-armv7", List.of("org/sqlite/native/Linux/armv7/", "Linux/armv7hf/", "Linux/armv8_32/", "com/sun/jna/linux-arm/", "lib/armhf/"),
            "linux-x86_64", List.of("org/sqlite/native/Linux/x86_64/", "Linux/x86_64/", "com/sun/jna/linux-x86-64/"));

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: java StripNatives.java PLATFORM[,PLATFORM...] OUTDIR JAR...");
            System.exit(1);
        }
        List<String> keep = new ArrayList<>();
        for (String platform : args[0].split(",")) {
            List<String> folders = FOLDERS.get(platform);
            if (folders == null) {
                System.err.println("StripNatives: unknown platform '" + platform + "' (known: " + FOLDERS.keySet() + ")");
                System.exit(1);
            }
            keep.addAll(folders);
        }
        for (int i = 2; i < args.length; i++) {
            Path jar = Path.of(args[i]);
            strip(jar, Path.of(args[1]).resolve(jar.getFileName()), keep);
        }
    }

    static void strip(Path jar, Path target, List<String> keep) throws IOException {
        try (ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (isNative(name)) {
                    if (keep.stream().noneMatch(name::startsWith)) {
                        continue;
                    }
                    System.out.println(jar.getFileName() + ": " + name);
                }
                ZipEntry copy = new ZipEntry(name);
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    static boolean isNative(String name) {
        return name.endsWith(".so") || name.endsWith(".dll") || name.endsWith(".dylib") || name.endsWith(".jnilib");
    }
}
