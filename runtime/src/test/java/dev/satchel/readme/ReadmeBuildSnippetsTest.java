package dev.satchel.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's build snippets are word for word what examples/consumer builds with: its pom's
 * dependencies and plugins, its driver and the driver's test. CI builds and tests that project
 * against the installed snapshot, so a snippet that stops working fails there, and one that drifts
 * from the project fails here.
 */
final class ReadmeBuildSnippetsTest {
  /** Surefire runs in the module's folder. */
  private static final Path ROOT = Path.of("..");

  private static final Path CONSUMER = ROOT.resolve("examples/consumer");
  private static final Pattern CODE_BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern XML_COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);

  /** What the consumer's pom may hold besides the snippets: its coordinates and encoding. */
  private static final Pattern WRAPPER_LINE =
      Pattern.compile(
          "<\\?xml .*|<project .*|xmlns.*|xsi:.*|<modelVersion>.*|<groupId>.*|<artifactId>.*"
              + "|<version>.*|</?properties>|<project\\.build\\.sourceEncoding>.*|</project>");

  @Test
  void theConsumersPomIsTheReadmesSnippetsAndNothingMore() throws IOException {
    List<String> adding = codeBlocks("## Adding Satchel to a Maven build", "xml");
    List<String> driverTests = codeBlocks("### Write your own driver", "xml");
    assertEquals(1, adding.size(), "one pom snippet in \"Adding Satchel to a Maven build\"");
    assertEquals(
        2, driverTests.size(), "test dependencies and Surefire in \"Write your own driver\"");

    List<String> pom = lines(XML_COMMENT.matcher(read(CONSUMER.resolve("pom.xml"))).replaceAll(""));
    // The test dependencies and Surefire sit inside the first snippet's elements: take them out,
    // and the first snippet must then stand whole.
    for (String snippet : driverTests) {
      pom = without(pom, lines(snippet), "the consumer's pom lacks this README snippet");
    }
    pom = without(pom, lines(adding.get(0)), "the consumer's pom lacks this README snippet");

    List<String> extra = new ArrayList<>();
    for (String line : pom) {
      if (!WRAPPER_LINE.matcher(line).matches()) {
        extra.add(line);
      }
    }
    assertEquals(List.of(), extra, "the consumer's pom holds more than the README's snippets");
  }

  @Test
  void theConsumersDriverAndItsTestAreTheReadmes() throws IOException {
    List<String> java = codeBlocks("### Write your own driver", "java");
    assertEquals(2, java.size(), "the driver and its test in \"Write your own driver\"");
    Path sources = CONSUMER.resolve("src/main/java/com/example/mystore/MyStoreProvider.java");
    Path tests = CONSUMER.resolve("src/test/java/com/example/mystore/MyStoreDriverTest.java");
    assertEquals(java.get(0), withoutPackage(read(sources)), sources.toString());
    assertEquals(java.get(1), withoutPackage(read(tests)), tests.toString());
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file);
  }

  /** The code blocks in {@code language} of the README section under {@code heading}. */
  private static List<String> codeBlocks(String heading, String language) throws IOException {
    String readme = read(ROOT.resolve("README.md"));
    int start = readme.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "the README has the section " + heading);
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    // The section ends at the next heading of its level or above.
    Matcher next = Pattern.compile("\\n#{1," + (level.length() - 1) + "} ").matcher(readme);
    int end = next.find(start + heading.length() + 1) ? next.start() : readme.length();
    List<String> blocks = new ArrayList<>();
    Matcher block = CODE_BLOCK.matcher(readme.substring(start, end));
    while (block.find()) {
      if (block.group(1).equals(language)) {
        blocks.add(block.group(2));
      }
    }
    return blocks;
  }

  /** The text's lines without indentation or blank lines: how deep a snippet sits is free. */
  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    return lines;
  }

  /** {@code lines} without the first run of lines equal to {@code part}, which must be there. */
  private static List<String> without(List<String> lines, List<String> part, String message) {
    int at = Collections.indexOfSubList(lines, part);
    if (at < 0) {
      fail(message + ":\n" + String.join("\n", part));
    }
    List<String> rest = new ArrayList<>(lines.subList(0, at));
    rest.addAll(lines.subList(at + part.size(), lines.size()));
    return rest;
  }

  /** A source file as the README shows it: without its package line and the blank line after. */
  private static String withoutPackage(String source) {
    assertTrue(source.startsWith("package "), "a package line first");
    String afterPackage = source.substring(source.indexOf('\n') + 1);
    assertTrue(afterPackage.startsWith("\n"), "a blank line after the package line");
    return afterPackage.substring(1);
  }
}
