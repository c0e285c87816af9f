package org.streetgate.kioskui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The screen in real headless Chromium, against a fake port: what a person sees and touches. */
class KioskScreenIT {
    private static Browser browser;
    private static WebDriver web;
    private FakeKioskPort port;
    private KioskServer server;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        web = browser.driver();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void startServer() {
        port = new FakeKioskPort();
    }

    @org.junit.jupiter.api.AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void open() {
        server = KioskServer.start(port, new InetSocketAddress("127.0.0.1", 0));
        web.get("http://127.0.0.1:" + server.port() + "/");
        waitFor(d -> "home".equals(screen()));
        // the page has its status and its live connection before the test acts
        waitFor(d -> server.liveClients() > 0);
    }

    private String screen() {
        return web.findElement(By.tagName("body")).getAttribute("data-screen");
    }

    private void waitFor(java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(web, Duration.ofSeconds(5)).until(condition::apply);
    }

    private void click(String id) {
        web.findElement(By.id(id)).click();
    }

    private void type(String digits) {
        for (char c : digits.toCharArray()) {
            click("key-" + c);
        }
    }

    /** The first pickup step: the door number from the receipt. */
    private void enterDoor(String door) {
        type(door);
        click("btn-submit");
        waitFor(d -> !text("entry-display").equals(door) && text("entry-display").isEmpty());
    }

    private String text(String id) {
        return web.findElement(By.id(id)).getText();
    }

    @Test
    void pickup_in_chinese_opens_the_door_and_closing_it_shows_done() throws Exception {
        port.codes.put("482913", 7);
        open();
        assertEquals("zh-CN", web.findElement(By.tagName("html")).getAttribute("lang"));
        assertEquals("输入取件码取件", text("btn-pickup"));
        browser.screenshot(Path.of("target/screens/home-zh.png"));
        click("btn-pickup");
        assertEquals("请输入取件凭条上的柜门号", text("entry-title"));
        type("7");
        assertEquals("7", text("entry-display"));
        click("btn-submit");
        waitFor(d -> "请输入取件码".equals(text("entry-title")));
        type("482913");
        assertEquals("482913", text("entry-display"));
        browser.screenshot(Path.of("target/screens/pickup-entry-zh.png"));
        click("btn-submit");
        waitFor(d -> "door".equals(screen()));
        assertEquals("7", text("door-number"));
        assertEquals("柜门已打开", text("door-title"));
        browser.screenshot(Path.of("target/screens/door-open-zh.png"));
        port.push("door-closed", Map.of("door", 7));
        waitFor(d -> "done".equals(screen()));
        assertEquals("取件完成", text("done-title"));
        assertEquals(java.util.List.of(7), port.opened);
    }

    @Test
    void pickup_in_english_after_the_language_toggle() throws Exception {
        port.codes.put("55667788", 3);
        open();
        click("btn-lang");
        assertEquals("en", web.findElement(By.tagName("html")).getAttribute("lang"));
        assertEquals("Pick up with a code", text("btn-pickup"));
        assertEquals("中文", text("btn-lang"));
        browser.screenshot(Path.of("target/screens/home-en.png"));
        click("btn-pickup");
        assertEquals("Enter the door number on your receipt", text("entry-title"));
        enterDoor("3");
        assertEquals("Enter your pickup code", text("entry-title"));
        type("55667788");
        click("btn-submit");
        waitFor(d -> "door".equals(screen()));
        assertEquals("3", text("door-number"));
        assertEquals("Take your parcel, then close the door", text("door-instruction"));
        port.push("door-closed", Map.of("door", 3));
        waitFor(d -> "done".equals(screen()));
        assertEquals("Pickup complete", text("done-title"));
    }

    @Test
    void wrong_codes_show_an_error_then_the_cool_down() throws Exception {
        port.lockAfter = 3;
        port.lockSeconds = 45;
        open();
        click("btn-pickup");
        enterDoor("1");
        type("111111");
        click("btn-submit");
        waitFor(d -> "wrong-code".equals(web.findElement(By.id("entry-error")).getAttribute("data-reason")));
        assertEquals("柜门号或取件码不正确，请核对后重试", text("entry-error"));
        assertEquals("", text("entry-display"), "a wrong code is cleared");
        assertEquals("请输入取件凭条上的柜门号", text("entry-title"), "the door is asked for again");
        enterDoor("1");
        type("222222");
        click("btn-submit");
        waitFor(d -> "请输入取件凭条上的柜门号".equals(text("entry-title")));
        enterDoor("2");
        type("333333");
        click("btn-submit");
        waitFor(d -> "locked-out".equals(web.findElement(By.id("entry-error")).getAttribute("data-reason")));
        assertTrue(text("entry-error").startsWith("尝试次数过多，请 4"), text("entry-error"));
        assertFalse(web.findElement(By.id("btn-submit")).isEnabled(), "submit is disabled during the cool-down");
        browser.screenshot(Path.of("target/screens/locked-out-zh.png"));
    }

    @Test
    void a_used_up_day_budget_says_hours_and_whom_to_call() {
        port.lockAfter = 1;
        port.lockSeconds = 20_000;
        open();
        click("btn-pickup");
        enterDoor("1");
        type("111111");
        click("btn-submit");
        waitFor(d -> "locked-out".equals(web.findElement(By.id("entry-error")).getAttribute("data-reason")));
        assertEquals("尝试次数过多，取件已暂停。请联系客服，或 6 小时后再试", text("entry-error"));
        click("btn-lang");
        waitFor(d -> text("entry-error").startsWith("Too many attempts: entry is paused"));
        assertEquals("Too many attempts: entry is paused. Call the service line or try again in 6 h", text("entry-error"));
    }

    @Test
    void code_shorter_than_the_minimum_is_not_sent() {
        open();
        click("btn-pickup");
        click("btn-submit");
        assertEquals("请输入柜门号", text("entry-error"), "no door number, no next step");
        enterDoor("4");
        type("123");
        click("btn-submit");
        assertEquals("请输入 6 到 8 位数字", text("entry-error"));
        assertEquals(0, port.wrong.get());
    }

    @Test
    void idle_timeout_returns_home_and_clears_what_was_typed() {
        port.idleTimeoutSeconds = 2;
        open();
        click("btn-pickup");
        type("1234");
        assertEquals("123", text("entry-display"), "a door number has at most 3 digits");
        new WebDriverWait(web, Duration.ofSeconds(8)).until(d -> "home".equals(screen()));
        click("btn-pickup");
        assertEquals("", text("entry-display"));
    }

    @Test
    void offline_banner_follows_the_platform_connection() throws Exception {
        open();
        assertFalse(web.findElement(By.id("banner-offline")).isDisplayed());
        port.online = false;
        port.pushStatus();
        waitFor(d -> d.findElement(By.id("banner-offline")).isDisplayed());
        assertEquals("网络已断开：仍可输入取件码取件", text("banner-offline"));
        browser.screenshot(Path.of("target/screens/offline-zh.png"));
        port.online = true;
        port.pushStatus();
        waitFor(d -> !d.findElement(By.id("banner-offline")).isDisplayed());
    }

    @Test
    void paper_out_shows_a_clear_message() throws Exception {
        open();
        port.printerProblem = "paper-out";
        port.pushStatus();
        waitFor(d -> d.findElement(By.id("banner-printer")).isDisplayed());
        assertEquals("打印机缺纸，暂时无法打印凭条和文件", text("banner-printer"));
        click("btn-lang");
        assertEquals("The printer is out of paper: receipts and documents cannot be printed", text("banner-printer"));
        browser.screenshot(Path.of("target/screens/paper-out-en.png"));
    }

    @Test
    void maintenance_page_needs_the_technician_pin() throws Exception {
        open();
        click("btn-tech");
        assertEquals("请输入维护密码", text("entry-title"));
        type("1111");
        assertEquals("●●●●", text("entry-display"), "a PIN is masked");
        click("btn-submit");
        waitFor(d -> "wrong-code".equals(d.findElement(By.id("entry-error")).getAttribute("data-reason")));
        assertEquals("密码不正确", text("entry-error"));
        type("9753");
        click("btn-submit");
        waitFor(d -> "tech".equals(screen()));
        waitFor(d -> text("tech-info").contains("42"));
        assertTrue(text("tech-info").contains("0.1.0-test"));
        click("tech-door-plus");
        click("btn-tech-open");
        waitFor(d -> text("tech-output").contains("\"opened\": true"));
        assertEquals(java.util.List.of(2), port.opened);
        browser.screenshot(Path.of("target/screens/maintenance-zh.png"));
        click("btn-tech-sensors");
        waitFor(d -> text("tech-output").contains("closed"));
    }

    @Test
    void courier_drop_off_shows_sizes_and_the_open_door() throws Exception {
        open();
        click("btn-courier");
        type("2468");
        click("btn-submit");
        waitFor(d -> "sizes".equals(screen()));
        WebElement medium = web.findElement(By.id("size-M"));
        assertFalse(medium.isEnabled(), "a size with no free door cannot be chosen");
        assertEquals("小格 — 空闲 2 个", text("size-S"));
        browser.screenshot(Path.of("target/screens/courier-sizes-zh.png"));
        click("size-L");
        waitFor(d -> "door".equals(screen()));
        assertEquals("10", text("door-number"));
        port.push("deposit-done", Map.of("door", 10, "printed", true));
        waitFor(d -> "done".equals(screen()));
        assertEquals("取件凭条已打印，请取走凭条", text("done-message"));
    }

    @Test
    void a_scanned_pickup_qr_opens_the_door_screen_from_home() {
        open();
        port.push("pickup", Map.of("door", 5));
        waitFor(d -> "door".equals(screen()));
        assertEquals("5", text("door-number"));
    }
}
