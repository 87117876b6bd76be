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
 * The README's quick-start snippets and docs/writing-a-driver.md's are word for word what
 * examples/consumer builds with: its pom's dependencies and plugins, the quick start's servlet app,
 * the driver and the driver's test. CI builds and tests that project against the installed
 * snapshot, so a snippet that stops working fails there, and one that drifts from the project fails
 * here.
 */
final class ReadmeBuildSnippetsTest {
  /** Surefire runs in the module's folder. */
  private static final Path ROOT = Path.of("..");

  private static final Path CONSUMER = ROOT.resolve("examples/consumer");
  private static final Pattern CODE_BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern XML_COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
  private static final String README = "README.md";
  private static final String WRITING_A_DRIVER = "docs/writing-a-driver.md";
  private static final String SERVLET_QUICK_START = "## Quick start: a servlet app";
  private static final String REDIS_QUICK_START = "## Quick start: switching to Redis";

  /** What the consumer's own test needs besides the README, between two marking comments. */
  private static final Pattern NOT_IN_THE_README =
      Pattern.compile(
          "<!-- not in the README:.*?<!-- end of what is not in the README -->", Pattern.DOTALL);

  /** What the consumer's pom may hold besides the snippets: its coordinates and encoding. */
  private static final Pattern WRAPPER_LINE =
      Pattern.compile(
          "<\\?xml .*|<project .*|xmlns.*|xsi:.*|<modelVersion>.*|<groupId>.*|<artifactId>.*"
              + "|<version>.*|</?properties>|<project\\.build\\.sourceEncoding>.*|</project>");

  @Test
  void theConsumersPomIsTheSnippetsAndNothingMore() throws IOException {
    List<String> quickStart = codeBlocks(README, SERVLET_QUICK_START, "xml");
    List<String> redis = codeBlocks(README, REDIS_QUICK_START, "xml");
    List<String> driverTests = codeBlocks(WRITING_A_DRIVER, null, "xml");
    assertEquals(1, quickStart.size(), "one pom snippet in \"" + SERVLET_QUICK_START + "\"");
    assertEquals(1, redis.size(), "one dependency in \"" + REDIS_QUICK_START + "\"");
    assertEquals(2, driverTests.size(), "test dependencies and Surefire in " + WRITING_A_DRIVER);

    String consumerPom = read(CONSUMER.resolve("pom.xml"));
    assertTrue(NOT_IN_THE_README.matcher(consumerPom).find(), "the consumer's test block");
    List<String> pom =
        lines(
            XML_COMMENT
                .matcher(NOT_IN_THE_README.matcher(consumerPom).replaceAll(""))
                .replaceAll(""));
    // The smaller snippets sit inside the quick start's elements: take them out, and the quick
    // start must then stand whole.
    for (String snippet : driverTests) {
      pom = without(pom, lines(snippet), "the consumer's pom lacks this snippet");
    }
    pom = without(pom, lines(redis.get(0)), "the consumer's pom lacks this README snippet");
    pom = without(pom, lines(quickStart.get(0)), "the consumer's pom lacks this README snippet");

    List<String> extra = new ArrayList<>();
    for (String line : pom) {
      if (!WRAPPER_LINE.matcher(line).matches()) {
        extra.add(line);
      }
    }
    assertEquals(List.of(), extra, "the consumer's pom holds more than the snippets");
  }

  @Test
  void theConsumersServletAppIsTheQuickStarts() throws IOException {
    List<String> java = codeBlocks(README, SERVLET_QUICK_START, "java");
    List<String> files = List.of("Cart.java", "SessionSetup.java", "CartServlet.java");
    assertEquals(files.size(), java.size(), "the quick start's classes");
    for (int i = 0; i < files.size(); i++) {
      Path source = CONSUMER.resolve("src/main/java/com/example/shop/" + files.get(i));
      assertEquals(java.get(i), withoutPackage(read(source)), source.toString());
    }
  }

  @Test
  void theConsumersDriverAndItsTestAreTheGuides() throws IOException {
    List<String> java = codeBlocks(WRITING_A_DRIVER, null, "java");
    assertEquals(2, java.size(), "the driver and its test in " + WRITING_A_DRIVER);
    Path sources = CONSUMER.resolve("src/main/java/com/example/mystore/MyStoreProvider.java");
    Path tests = CONSUMER.resolve("src/test/java/com/example/mystore/MyStoreDriverTest.java");
    assertEquals(java.get(0), withoutPackage(read(sources)), sources.toString());
    assertEquals(java.get(1), withoutPackage(read(tests)), tests.toString());
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file);
  }

  /**
   * The code blocks in {@code language} of {@code document}'s section under {@code heading}, or of
   * the whole document when {@code heading} is null.
   */
  private static List<String> codeBlocks(String document, String heading, String language)
      throws IOException {
    String text = read(ROOT.resolve(document));
    int start = 0;
    int end = text.length();
    if (heading != null) {
      start = text.indexOf("\n" + heading + "\n");
      assertTrue(start >= 0, document + " has the section " + heading);
      String level = heading.substring(0, heading.indexOf(' ') + 1);
      // The section ends at the next heading of its level or above.
      Matcher next = Pattern.compile("\\n#{1," + (level.length() - 1) + "} ").matcher(text);
      end = next.find(start + heading.length() + 1) ? next.start() : text.length();
    }
    List<String> blocks = new ArrayList<>();
    Matcher block = CODE_BLOCK.matcher(text.substring(start, end));
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
