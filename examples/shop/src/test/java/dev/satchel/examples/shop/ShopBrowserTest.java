package dev.satchel.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The shop in a real browser: headless Chromium (Debian's chromium and chromium-driver) adds two
 * items, reloads, sees "🛒 2 items" and their total, adds and removes one, cannot read the session
 * cookie from script (HttpOnly), logs in and out; and finds its way back from an unknown page. The
 * shop keeps its default Secure cookie: browsers accept it on localhost.
 *
 * <p>Run: {@code mvn -pl examples/shop -am verify -Pbrowser}.
 */
@Tag("browser")
final class ShopBrowserTest {
  private Satchel satchel;
  private Server server;
  private ChromeDriver browser;

  @BeforeEach
  void start() throws Exception {
    satchel = Satchel.builder().driver("memory").build();
    server = ShopApp.start(satchel, 0, Clock.systemUTC());
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    server.stop();
    satchel.close();
  }

  private String url() {
    return "http://localhost:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/";
  }

  private String cartButton() {
    return browser.findElement(By.id("cart")).getText();
  }

  private WebDriverWait waitFor() {
    return new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  @Test
  void addTwoItems_reload_logInAndOut() {
    browser.get(url());
    assertEquals("🛒 0 items", cartButton());

    browser.findElement(By.id("add-sku-0001")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("cart"), "🛒 1 item"));
    browser.findElement(By.id("add-sku-0002")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("cart"), "🛒 2 items"));

    browser.navigate().refresh();
    assertEquals("🛒 2 items", cartButton());
    assertEquals("$82.50", browser.findElement(By.id("cart-items-total")).getText());

    browser.findElement(By.id("add-sku-0003")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("cart"), "🛒 3 items"));
    browser.findElement(By.id("remove-0")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("cart"), "🛒 2 items"));
    assertEquals("$30.50", browser.findElement(By.id("cart-items-total")).getText());
    assertEquals(
        List.of("Trail water bottle", "Wool socks"),
        browser.findElements(By.cssSelector("#cart-items .line-name")).stream()
            .map(WebElement::getText)
            .toList());

    Object visibleCookies = ((JavascriptExecutor) browser).executeScript("return document.cookie");
    assertFalse(
        String.valueOf(visibleCookies).contains("satchel-session"), "script saw " + visibleCookies);
    assertTrue(browser.manage().getCookieNamed("satchel-session").isHttpOnly());
    String before = browser.manage().getCookieNamed("satchel-session").getValue();

    browser.findElement(By.id("name")).sendKeys("Ann");
    browser.findElement(By.id("login")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("user"), "Signed in as Ann"));
    assertEquals("🛒 2 items", cartButton());
    assertFalse(before.equals(browser.manage().getCookieNamed("satchel-session").getValue()));

    browser.findElement(By.id("logout")).click();
    waitFor().until(ExpectedConditions.presenceOfElementLocated(By.id("login")));
    assertEquals("🛒 0 items", cartButton());
  }

  @Test
  void anUnknownPage_isTheShopsOwn_withAWayBack() {
    browser.get(url() + "no-such-page");
    assertEquals("Page not found", browser.findElement(By.tagName("h1")).getText());
    browser.findElement(By.linkText("Back to the shop")).click();
    waitFor().until(ExpectedConditions.presenceOfElementLocated(By.id("products")));
    assertEquals("🛒 0 items", cartButton());
  }
}
