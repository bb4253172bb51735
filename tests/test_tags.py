"""Tags extraction (scout/tags.py + grammars/<lang>-tags.scm) against one fixture per language.

Each fixture under tests/fixtures/tags/ is a small coherent program; the expectations below are
exact: (name, kind, start_line, end_line, name_line, parent) for key definitions, (name, line) for
key references.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import FIXTURES, committed_copy, run_scout
from tree_sitter import Query

from scout.index.languages import SPECS, grammars_dir, language_for, tags_query
from scout.index.records import Definition, Reference
from scout.index.tags import extract
from scout.learn.tasks import LANGUAGE_NAMES

TAGS = FIXTURES / "tags"

D = tuple[str, str, int, int, int, str | None]  # name, kind, start, end, name_line, parent

# language: (fixture, key definitions, key references as "name:line ...")
CASES: dict[str, tuple[str, list[D], str]] = {
    "python": (
        "sample.py",
        [
            ("MAX_ITEMS", "constant", 6, 6, 6, None),
            ("StockError", "class", 9, 10, 9, None),
            ("Item", "class", 13, 19, 14, None),  # span includes @dataclass
            ("restock", "function", 18, 19, 18, "Item"),
            ("Inventory", "class", 22, 41, 22, None),
            ("__init__", "function", 23, 25, 23, "Inventory"),
            ("size", "function", 27, 29, 28, "Inventory"),  # span includes @property
            ("add", "function", 31, 35, 31, "Inventory"),
            ("total", "function", 37, 41, 37, "Inventory"),
            ("quantity_of", "function", 38, 39, 38, "Inventory.total"),
            ("build", "function", 44, 48, 44, None),
        ],
        "dataclass:3 defaultdict:4 Exception:9 dataclass:13 Item:19 object:22 Item:24 dd:25 "
        "property:27 Item:31 StockError:33 append:35 values:41 Inventory:44 Inventory:45 "
        "add:47 restock:47 total:52",
    ),
    "javascript": (
        "sample.js",
        [
            ("KEYWORDS", "constant", 4, 4, 4, None),
            ("Token", "class", 6, 15, 6, None),
            ("constructor", "method", 7, 10, 7, "Token"),
            ("toString", "method", 12, 14, 12, "Token"),
            ("Tokenizer", "class", 17, 49, 17, None),
            ("fromLines", "method", 24, 26, 24, "Tokenizer"),
            ("done", "method", 28, 30, 28, "Tokenizer"),
            ("tokens", "method", 32, 38, 32, "Tokenizer"),
            ("next", "method", 40, 48, 40, "Tokenizer"),
            ("isSpace", "function", 41, 41, 41, "Tokenizer.next"),
            ("readWord", "function", 51, 55, 51, None),
            ("classify", "function", 57, 57, 57, None),
            ("tokenize", "function", 59, 61, 59, None),
            ("upper", "function", 63, 63, 63, None),
            ("get", "function", 66, 66, 66, None),  # a pair's key names its function
            ("remaining", "function", 67, 69, 67, None),  # a named function handed to a call
        ],
        "EventEmitter:2 Set:4 EventEmitter:17 Tokenizer:25 join:25 next:34 emit:35 isSpace:42 "
        "readWord:45 Token:47 classify:47 slice:54 from:60 tokens:60",
    ),
    "typescript": (
        "sample.ts",
        [
            ("Item", "interface", 4, 8, 4, None),
            ("sku", "field", 5, 5, 5, "Item"),
            ("describe", "method", 7, 7, 7, "Item"),
            ("Sku", "type", 10, 10, 10, None),
            ("Status", "enum", 12, 15, 12, None),
            ("MAX_ITEMS", "constant", 17, 17, 17, None),
            ("Store", "class", 19, 27, 19, None),
            ("items", "field", 20, 20, 20, "Store"),
            ("load", "method", 22, 22, 22, "Store"),
            ("count", "method", 24, 26, 24, "Store"),
            ("Inventory", "class", 29, 53, 29, None),
            ("logger", "field", 30, 30, 30, "Inventory"),
            ("constructor", "method", 32, 35, 32, "Inventory"),
            ("load", "method", 37, 39, 37, "Inventory"),
            ("add", "method", 41, 48, 41, "Inventory"),
            ("Reports", "module", 55, 60, 55, None),
            ("totals", "function", 56, 59, 56, "Reports"),
            ("sum", "function", 57, 57, 57, "Reports.totals"),
            ("makeInventory", "function", 62, 64, 62, None),
        ],
        "Logger:2 Item:19 Map:20 Sku:20 Store:29 Iterable:29 Logger:32 get:38 Status:41 "
        "count:42 warn:43 Iterator:50 Inventory:56 reduce:58 Inventory:63 Logger:63",
    ),
    "tsx": (
        "sample.tsx",
        [
            ("RowProps", "interface", 5, 8, 5, None),
            ("onRemove", "field", 7, 7, 7, "RowProps"),
            ("Filter", "type", 10, 10, 10, None),
            ("ItemRow", "function", 12, 20, 12, None),
            ("Badge", "function", 22, 22, 22, None),
            ("formatCount", "function", 24, 26, 24, None),
            ("InventoryTable", "class", 28, 52, 28, None),
            ("state", "field", 29, 29, 29, "InventoryTable"),
            ("visibleItems", "method", 31, 37, 31, "InventoryTable"),
            ("render", "method", 39, 47, 39, "InventoryTable"),
            ("remove", "field", 49, 51, 49, "InventoryTable"),
            ("App", "function", 54, 57, 54, None),
            ("Table", "constant", 59, 59, 59, None),
        ],
        # Badge:16 is <Badge ... />, Body:41 is <Table.Body>, ItemRow:43 is <ItemRow ... />
        "useState:2 Inventory:3 Item:6 RowProps:12 Badge:16 formatCount:22 Component:28 "
        "Filter:29 filter:34 Body:41 visibleItems:42 ItemRow:43 Inventory:55 useState:55 "
        "InventoryTable:56 ReactNode:59",
    ),
    "go": (
        "sample.go",
        [
            ("inventory", "module", 2, 2, 2, None),
            ("MaxItems", "constant", 9, 9, 9, None),
            ("ErrFull", "variable", 11, 11, 11, None),
            ("Item", "struct", 14, 17, 14, None),
            ("SKU", "field", 15, 15, 15, "Item"),
            ("Store", "interface", 19, 22, 19, None),
            ("Add", "method", 20, 20, 20, "Store"),
            ("Inventory", "struct", 24, 27, 24, None),
            ("items", "field", 25, 25, 25, "Inventory"),
            ("NewInventory", "function", 29, 31, 29, None),
            ("Add", "method", 33, 40, 33, "Inventory"),  # a receiver method's parent is its type
            ("Count", "method", 42, 44, 42, "Inventory"),
            ("record", "method", 46, 48, 46, "Inventory"),
            ("Total", "function", 50, 57, 50, None),
            ("Quantity", "type", 59, 59, 59, None),
        ],
        "errors:5 fmt:6 New:11 Item:20 Inventory:29 make:30 Inventory:33 Count:34 Sprintf:38 "
        "record:38 append:47 Store:50 sum:54 Count:56",
    ),
    "rust": (
        "sample.rs",
        [
            ("MAX_TOKENS", "constant", 5, 5, 5, None),
            ("TokenKind", "enum", 8, 12, 8, None),
            ("Token", "struct", 14, 17, 14, None),
            ("kind", "field", 15, 15, 15, "Token"),
            ("Scan", "trait", 19, 21, 19, None),
            ("scan", "method", 20, 20, 20, "Scan"),
            ("Tokenizer", "struct", 23, 27, 23, None),
            ("Tokenizer", "impl", 29, 40, 29, None),
            ("new", "method", 30, 32, 30, "Tokenizer"),
            ("classify", "method", 34, 39, 34, "Tokenizer"),
            ("is_number", "function", 35, 37, 35, "Tokenizer.classify"),
            ("Tokenizer", "impl", 42, 50, 42, None),  # impl Scan for Tokenizer
            ("scan", "method", 43, 49, 43, "Tokenizer"),
            ("Token", "impl", 52, 56, 52, None),
            ("fmt", "method", 53, 55, 53, "Token"),
            ("tokens", "macro", 58, 62, 58, None),
            ("collect_tokens", "function", 64, 70, 64, None),
            ("tests", "module", 72, 76, 72, None),
            ("smoke", "function", 73, 75, 73, "tests"),
            ("cfg_scanning", "macro", 79, 81, 79, None),
            ("scan_all", "function", 85, 87, 85, None),  # in a macro call's body, parsed as items
            ("Cursor", "struct", 90, 92, 90, None),  # and in a call inside that one
            ("at", "field", 91, 91, 91, "Cursor"),
            ("advance", "method", 101, 103, 101, "Cursor"),  # in a macro call in an impl: a method
        ],
        "HashMap:2 Display:3 Debug:7 TokenKind:15 HashMap:26 new:31 Tokenizer:31 "
        "is_ascii_digit:36 is_number:38 TokenKind:38 Scan:42 split_whitespace:45 classify:48 "
        "Token:48 Formatter:53 write:54 Scan:64 scan:66 tokens:74 cfg_scanning:83 Token:85 "
        "collect_tokens:86 new:86 cfg_scanning:89",
    ),
    "java": (
        "Sample.java",
        [
            ("Sample", "class", 8, 62, 8, None),
            ("MAX_ITEMS", "field", 9, 9, 9, "Sample"),
            ("Priced", "interface", 11, 13, 11, "Sample"),
            ("price", "method", 12, 12, 12, "Sample.Priced"),
            ("Category", "enum", 15, 15, 15, "Sample"),
            ("FOOD", "constant", 15, 15, 15, "Sample.Category"),
            ("Item", "class", 17, 21, 17, "Sample"),  # record
            ("restock", "method", 18, 20, 18, "Sample.Item"),
            ("items", "field", 23, 23, 23, "Sample"),
            ("Sample", "method", 25, 27, 25, "Sample"),  # constructor
            ("add", "method", 29, 34, 29, "Sample"),
            ("lowStock", "method", 36, 44, 36, "Sample"),
            ("total", "method", 46, 48, 46, "Sample"),
            ("Report", "class", 50, 61, 50, "Sample"),
            ("Report", "method", 53, 55, 53, "Sample.Report"),
            ("run", "method", 57, 60, 58, "Sample.Report"),  # span includes @Override
        ],
        "ArrayList:3 Map:5 Priced:17 Item:19 HashMap:23 IllegalStateException:29 "
        "IllegalStateException:31 put:33 sku:33 ArrayList:37 quantity:39 price:47 sum:47 "
        "Thread:50 Override:57 println:59 total:59",
    ),
    "c": (
        "sample.c",
        [
            ("MAX_ITEMS", "macro", 6, 6, 6, None),
            ("CLAMP", "macro", 7, 7, 7, None),
            ("status_t", "type", 9, 9, 9, None),
            ("IN_STOCK", "constant", 9, 9, 9, "status_t"),
            ("item", "struct", 11, 14, 11, None),
            ("sku", "field", 12, 12, 12, "item"),
            ("quantity", "field", 13, 13, 13, "item"),
            ("inventory", "struct", 16, 19, 16, None),
            ("items", "field", 17, 17, 17, "inventory"),
            ("inventory_t", "type", 19, 19, 19, None),
            ("item_visitor", "type", 21, 21, 21, None),
            ("find_index", "function", 23, 31, 23, None),
            ("inventory_add", "function", 33, 45, 33, None),
            ("inventory_each", "function", 47, 55, 47, None),
            ("print_item", "function", 57, 62, 57, None),
            ("main", "function", 64, 69, 64, None),
        ],
        "inventory.h:4 item:17 inventory_t:23 strcmp:26 status_t:33 find_index:35 strncpy:41 "
        "CLAMP:43 item_visitor:47 visit:50 printf:60 inventory_add:67",
    ),
    "cpp": (
        "sample.cpp",
        [
            ("lexer", "module", 6, 66, 6, None),
            ("Kind", "enum", 8, 8, 8, "lexer"),
            ("Token", "struct", 10, 13, 10, "lexer"),
            ("text", "field", 12, 12, 12, "lexer.Token"),
            ("Scanner", "class", 15, 19, 15, "lexer"),
            ("~Scanner", "method", 17, 17, 17, "lexer.Scanner"),
            ("next", "method", 18, 18, 18, "lexer.Scanner"),
            ("Tokenizer", "class", 21, 43, 21, "lexer"),
            ("Tokenizer", "method", 23, 23, 23, "lexer.Tokenizer"),
            ("next", "method", 25, 33, 25, "lexer.Tokenizer"),
            ("position", "method", 35, 35, 35, "lexer.Tokenizer"),
            ("classify", "method", 39, 39, 39, "lexer.Tokenizer"),
            ("pos_", "field", 42, 42, 42, "lexer.Tokenizer"),
            ("position", "method", 45, 45, 45, "lexer"),  # out-of-line Tokenizer::position
            ("skipSpace", "method", 47, 51, 47, "lexer"),
            ("classify", "method", 53, 55, 53, "lexer"),
            ("collect", "function", 58, 64, 58, "lexer"),  # span starts after template <...>
            ("main", "function", 68, 72, 68, None),
        ],
        "token.hpp:4 Kind:11 string:12 Scanner:21 move:23 skipSpace:26 isspace:28 substr:31 "
        "classify:32 Token:32 isdigit:54 vector:58 push_back:61 Tokenizer:69 collect:70 "
        "Token:70",
    ),
    "c_sharp": (
        "Sample.cs",
        [
            ("Scout.Fixtures", "module", 6, 63, 6, None),
            ("IPriced", "interface", 8, 12, 8, "Scout.Fixtures"),
            ("Total", "method", 11, 11, 11, "Scout.Fixtures.IPriced"),
            ("Category", "enum", 14, 14, 14, "Scout.Fixtures"),
            ("Sku", "class", 16, 16, 16, "Scout.Fixtures"),
            ("Money", "struct", 18, 22, 18, "Scout.Fixtures"),
            ("Money", "method", 21, 21, 21, "Scout.Fixtures.Money"),
            ("Item", "class", 24, 41, 24, "Scout.Fixtures"),
            ("MaxQuantity", "field", 26, 26, 26, "Scout.Fixtures.Item"),
            ("Item", "method", 28, 32, 28, "Scout.Fixtures.Item"),
            ("Quantity", "field", 36, 36, 36, "Scout.Fixtures.Item"),
            ("Restock", "method", 40, 40, 40, "Scout.Fixtures.Item"),
            ("Inventory", "class", 43, 62, 43, "Scout.Fixtures"),
            ("_items", "field", 45, 45, 45, "Scout.Fixtures.Inventory"),
            ("Added", "field", 47, 47, 47, "Scout.Fixtures.Inventory"),
            ("Add", "method", 49, 53, 49, "Scout.Fixtures.Inventory"),
            ("LowStock", "method", 55, 59, 55, "Scout.Fixtures.Inventory"),
            ("IsLow", "function", 57, 57, 57, "Scout.Fixtures.Inventory.LowStock"),
            ("Value", "method", 61, 61, 61, "Scout.Fixtures.Inventory"),
        ],
        "Generic:3 IPriced:24 Sku:28 Min:38 Dictionary:45 Item:45 EventHandler:47 Invoke:52 "
        "IEnumerable:55 Where:58 ToList:58 Money:61 Sum:61 Total:61",
    ),
    "ruby": (
        "sample.rb",
        [
            ("Shop", "module", 5, 49, 5, None),
            ("MAX_ITEMS", "constant", 6, 6, 6, "Shop"),
            ("StockError", "class", 8, 8, 8, "Shop"),
            ("Item", "class", 10, 14, 10, "Shop"),  # Item = Struct.new(...) do ... end
            ("restock", "method", 11, 13, 11, "Shop.Item"),
            ("Inventory", "class", 16, 44, 16, "Shop"),
            ("initialize", "method", 20, 22, 20, "Shop.Inventory"),
            ("add", "method", 24, 28, 24, "Shop.Inventory"),
            ("load", "method", 34, 37, 34, "Shop.Inventory"),  # def self.load
            ("log", "method", 41, 43, 41, "Shop.Inventory"),
            ("total", "method", 46, 48, 46, "Shop"),
        ],
        "json:2 store:3 StandardError:8 Struct:10 Item:12 Base:16 Enumerable:17 StockError:25 "
        "log:27 JSON:35 parse:35 read:35 each_with_object:36 add:36 sum:47",
    ),
    "php": (
        "sample.php",
        [
            ("App\\Inventory", "module", 4, 4, 4, None),
            ("MAX_ITEMS", "constant", 9, 9, 9, None),
            ("Priced", "interface", 11, 14, 11, None),
            ("price", "method", 13, 13, 13, "Priced"),
            ("Logs", "trait", 16, 24, 16, None),
            ("log", "field", 18, 18, 18, "Logs"),
            ("record", "method", 20, 23, 20, "Logs"),
            ("Status", "enum", 26, 30, 26, None),
            ("InStock", "constant", 28, 28, 28, "Status"),
            ("Item", "class", 32, 40, 32, None),
            ("__construct", "method", 34, 34, 34, "Item"),
            ("price", "method", 36, 39, 36, "Item"),
            ("Inventory", "class", 42, 67, 42, None),
            ("items", "field", 47, 47, 47, "Inventory"),
            ("add", "method", 49, 57, 49, "Inventory"),
            ("fromArray", "method", 59, 66, 59, "Inventory"),
            ("total", "function", 69, 73, 69, None),
        ],
        "Store:6 InvalidArgumentException:7 Priced:32 BaseInventory:42 Store:42 Logs:44 "
        "Item:49 Status:49 count:51 BadInput:52 record:55 sprintf:55 Status:56 Item:63 add:63 "
        "price:71 array_map:72 all:72",
    ),
    "kotlin": (
        "Sample.kt",
        [
            ("MAX_ITEMS", "constant", 7, 7, 7, None),
            ("Priced", "interface", 9, 12, 9, None),
            ("price", "field", 10, 10, 10, "Priced"),
            ("total", "method", 11, 11, 11, "Priced"),
            ("Category", "class", 14, 14, 14, None),
            ("FOOD", "constant", 14, 14, 14, "Category"),
            ("Item", "class", 16, 18, 16, None),
            ("sku", "field", 16, 16, 16, "Item"),
            ("restock", "method", 17, 17, 17, "Item"),
            ("Event", "class", 20, 23, 20, None),
            ("Added", "class", 21, 21, 21, "Event"),
            ("Cleared", "class", 22, 22, 22, "Event"),
            ("Inventory", "class", 25, 45, 25, None),
            ("items", "field", 26, 26, 26, "Inventory"),
            ("size", "field", 28, 29, 28, "Inventory"),
            ("add", "method", 31, 35, 31, "Inventory"),
            ("lowStock", "method", 37, 40, 37, "Inventory"),
            ("isLow", "function", 38, 38, 38, "Inventory.lowStock"),
            ("empty", "method", 43, 43, 43, "Inventory"),  # companion object member
            ("describe", "function", 47, 47, 47, None),
            ("totalValue", "function", 49, 50, 49, None),
        ],
        "Instant:4 max:5 Double:10 Priced:16 copy:17 Event:21 mutableMapOf:26 require:32 "
        "Added:34 now:34 List:37 filter:39 isLow:39 sumOf:50 maximum:50 total:50",
    ),
    "swift": (
        "Sample.swift",
        [
            ("maxItems", "constant", 4, 4, 4, None),
            ("Priced", "interface", 6, 9, 6, None),
            ("price", "field", 7, 7, 7, "Priced"),
            ("total", "method", 8, 8, 8, "Priced"),
            ("Category", "enum", 11, 13, 11, None),
            ("food", "constant", 12, 12, 12, "Category"),
            ("tools", "constant", 12, 12, 12, "Category"),
            ("Item", "struct", 15, 23, 15, None),
            ("quantity", "field", 17, 17, 17, "Item"),
            ("total", "method", 20, 22, 20, "Item"),
            ("Inventory", "class", 25, 45, 25, None),
            ("items", "field", 26, 26, 26, "Inventory"),
            ("init", "method", 29, 29, 29, "Inventory"),
            ("add", "method", 31, 37, 31, "Inventory"),
            ("lowStock", "method", 39, 44, 39, "Inventory"),
            ("isLow", "function", 40, 42, 40, "Inventory.lowStock"),
            ("InventoryError", "enum", 47, 49, 47, None),
            ("Inventory", "extension", 51, 55, 51, None),
            ("totalValue", "field", 52, 54, 52, "Inventory"),
            ("makeInventory", "function", 57, 61, 57, None),
        ],
        "Foundation:2 Priced:15 Hashable:15 Double:21 Item:26 onChange:36 filter:43 Error:47 "
        "reduce:53 Inventory:57 Inventory:58 Item:59 add:59",
    ),
    "scala": (
        "Sample.scala",
        [
            ("com.example.inventory", "module", 2, 2, 2, None),
            ("Priced", "trait", 7, 10, 7, None),
            ("price", "method", 8, 8, 8, "Priced"),
            ("total", "method", 9, 9, 9, "Priced"),
            ("Event", "trait", 12, 12, 12, None),
            ("Added", "class", 13, 13, 13, None),
            ("Cleared", "class", 14, 14, 14, None),
            ("Item", "class", 16, 18, 16, None),
            ("sku", "field", 16, 16, 16, "Item"),
            ("restock", "method", 17, 17, 17, "Item"),
            ("Listener", "type", 20, 20, 20, None),
            ("Inventory", "class", 22, 41, 22, None),
            ("items", "field", 23, 23, 23, "Inventory"),
            ("maxItems", "field", 24, 24, 24, "Inventory"),
            ("add", "method", 26, 30, 26, "Inventory"),
            ("lowStock", "method", 32, 35, 32, "Inventory"),
            ("isLow", "function", 33, 33, 33, "Inventory.lowStock"),
            ("clear", "method", 37, 40, 37, "Inventory"),
            ("Inventory", "class", 43, 47, 43, None),  # companion object
            ("DefaultMax", "field", 44, 44, 44, "Inventory"),
            ("apply", "method", 46, 46, 46, "Inventory"),
            ("Category", "enum", 49, 51, 49, None),
            ("Food", "constant", 50, 50, 50, "Category"),
        ],
        "mutable:4 Clock:5 Instant:5 BigDecimal:8 Event:13 Priced:16 copy:17 empty:23 "
        "require:27 update:28 Added:29 now:29 Seq:32 filter:34 clear:38 Inventory:46 "
        "systemUTC:46",
    ),
    "bash": (
        "sample.sh",
        [
            ("INVENTORY_FILE", "variable", 8, 8, 8, None),
            ("MAX_ITEMS", "variable", 9, 9, 9, None),
            ("LOG_LEVEL", "variable", 10, 10, 10, None),
            ("log", "function", 12, 14, 12, None),
            ("count_items", "function", 16, 18, 16, None),
            ("add_item", "function", 20, 28, 20, None),
            ("low_stock", "function", 30, 40, 30, None),
            ("is_low", "function", 32, 34, 32, "low_stock"),
            ("main", "function", 42, 48, 42, None),
        ],
        "./lib/common.sh:5 printf:13 count_items:22 log:23 is_low:36 add_item:44 low_stock:45 "
        "sort:45 main:50",
    ),
    "lua": (
        "sample.lua",
        [
            ("MAX_ITEMS", "constant", 5, 5, 5, None),
            ("Item", "constant", 7, 7, 7, None),
            ("new", "function", 10, 15, 10, None),  # function Item.new
            ("restock", "method", 17, 19, 17, None),  # function Item:restock
            ("Inventory", "constant", 21, 21, 21, None),
            ("add", "method", 28, 34, 28, None),
            ("low_stock", "method", 36, 47, 36, None),
            ("is_low", "function", 37, 39, 37, "low_stock"),
            ("format_item", "function", 49, 51, 49, None),
            ("dump", "function", 53, 58, 53, None),
        ],
        "json:2 util:3 setmetatable:11 new:18 error:30 is_low:42 insert:43 format:50 "
        "format_item:55 encode:57 keys:57",
    ),
    "elixir": (
        "sample.ex",
        [
            ("Inventory", "module", 2, 45, 2, "Shop"),  # defmodule Shop.Inventory
            ("max_items", "constant", 7, 7, 7, "Shop.Inventory"),  # @max_items 100
            ("Error", "module", 11, 13, 11, "Shop.Inventory"),
            ("new", "function", 15, 15, 15, "Shop.Inventory"),  # def new, do: ...
            ("add", "function", 17, 22, 17, "Shop.Inventory"),  # a clause with a guard
            ("add", "function", 24, 24, 24, "Shop.Inventory"),
            ("low_stock", "function", 26, 30, 26, "Shop.Inventory"),
            ("put_item", "function", 32, 34, 32, "Shop.Inventory"),  # defp
            ("low?", "function", 38, 38, 38, "Shop.Inventory"),
            ("with_stock", "macro", 40, 44, 40, "Shop.Inventory"),
            ("Priced", "interface", 47, 49, 47, "Shop"),  # defprotocol
            ("price", "function", 48, 48, 48, "Shop.Priced"),
            ("Item", "impl", 51, 53, 51, "Shop"),  # defimpl Shop.Priced, for: Shop.Item
            ("price", "function", 52, 52, 52, "Shop.Item"),
        ],
        "Shop.Item:4 Logger:5 Item:17 Logger:18 debug:18 put_item:20 bump:21 Error:24 Map:28 values:28 "
        "filter:29 low?:29 put:33 low_stock:42 Priced:51",
    ),
    "haskell": (
        "sample.hs",
        [
            ("Shop.Inventory", "module", 2, 7, 2, None),
            ("maxItems", "function", 13, 13, 13, None),  # the equation, not the signature above it
            ("Sku", "type", 15, 15, 15, None),
            ("Item", "type", 17, 20, 17, None),
            ("itemSku", "field", 18, 18, 18, "Item"),
            ("Inventory", "type", 22, 22, 22, None),  # newtype
            ("Priced", "interface", 24, 27, 24, None),
            ("price", "method", 25, 25, 25, "Priced"),
            ("total", "method", 27, 27, 27, "Priced"),  # default implementation
            ("Item", "impl", 29, 30, 29, None),  # instance Priced Item
            ("price", "method", 30, 30, 30, "Item"),
            ("addItem", "function", 36, 38, 36, None),
            ("lowStock", "function", 41, 43, 41, None),
            ("isLow", "function", 43, 43, 43, "lowStock"),  # in a where clause
            ("Event", "type", 48, 48, 48, None),
            ("Added", "constant", 48, 48, 48, "Event"),  # a constructor of a sum type
        ],
        "Data.Map.Strict:9 Data.List:10 Int:12 Sku:18 Show:20 Map:22 Priced:29 fromIntegral:30 "
        "Either:35 size:37 Right:38 insert:38 elems:41 filter:41 sortOn:41",
    ),
    "ocaml": (
        "sample.ml",
        [
            ("max_items", "constant", 4, 4, 4, None),
            ("item", "type", 8, 11, 8, None),
            ("quantity", "field", 10, 10, 10, "item"),
            ("event", "type", 13, 15, 13, None),
            ("Added", "constant", 14, 14, 14, "event"),
            ("Full", "type", 17, 17, 17, None),  # exception
            ("PRICED", "interface", 19, 21, 19, None),  # module type
            ("price", "function", 20, 20, 20, "PRICED"),
            ("Inventory", "module", 23, 36, 23, None),
            ("t", "type", 24, 24, 24, "Inventory"),
            ("create", "function", 26, 26, 26, "Inventory"),
            ("add", "function", 28, 31, 28, "Inventory"),
            ("low_stock", "function", 33, 35, 33, "Inventory"),
            ("is_low", "function", 34, 34, 34, "Inventory.low_stock"),  # let ... in
            ("total", "function", 38, 40, 38, None),  # let rec total = function ...
            ("counter", "class", 44, 48, 44, None),
            ("incr", "method", 46, 46, 46, "counter"),
        ],
        "Printf:2 item:14 Hashtbl:24 create:26 Full:29 raise:29 replace:30 fold:35 is_low:35 total:40 "
        "sprintf:42 Inventory:51 add:52 describe:53 print_endline:53",
    ),
    "ocaml_interface": (
        "sample.mli",
        [
            ("item", "type", 5, 5, 5, None),
            ("quantity", "field", 5, 5, 5, "item"),
            ("t", "type", 7, 7, 7, None),
            ("max_items", "constant", 11, 11, 11, None),  # val max_items : int
            ("create", "function", 13, 13, 13, None),  # val create : unit -> t
            ("add", "function", 15, 15, 15, None),
            ("Report", "module", 20, 23, 20, None),
            ("total", "function", 21, 21, 21, "Report"),
            ("checksum", "function", 25, 25, 25, None),  # external
        ],
        "string:3 sku:5 t:13 unit:13 item:15 list:18",
    ),
    "dart": (
        "sample.dart",
        [
            ("maxItems", "constant", 5, 5, 5, None),
            ("ItemFilter", "type", 7, 7, 7, None),
            ("Category", "enum", 9, 9, 9, None),
            ("tools", "constant", 9, 9, 9, "Category"),
            ("Priced", "class", 11, 14, 11, None),
            ("price", "method", 12, 12, 12, "Priced"),  # abstract getter
            ("Logging", "trait", 16, 18, 16, None),  # mixin
            ("Item", "class", 20, 33, 20, None),
            ("sku", "field", 21, 21, 21, "Item"),
            ("Item", "method", 24, 24, 24, "Item"),  # const constructor
            ("price", "method", 27, 27, 27, "Item"),
            ("restock", "method", 32, 32, 32, "Item"),
            ("Inventory", "class", 35, 52, 35, None),
            ("_items", "field", 36, 36, 36, "Inventory"),
            ("empty", "method", 38, 38, 38, "Inventory"),  # named constructor Inventory.empty()
            ("add", "method", 40, 46, 40, "Inventory"),  # signature through the end of its body
            ("lowStock", "method", 48, 51, 48, "Inventory"),
            ("isLow", "function", 49, 49, 49, "Inventory.lowStock"),
            ("Inventory", "extension", 54, 56, 54, None),  # extension Totals on Inventory
            ("count", "method", 55, 55, 55, "Inventory"),
            ("build", "function", 58, 62, 58, None),
        ],
        "dart:collection:2 package:shop/logger.dart:3 Item:7 print:17 Priced:20 Logging:35 HashMap:36 "
        "Map:36 StateError:42 log:45 toList:50 where:50 Inventory:54 lowStock:55 empty:59 forEach:60",
    ),
    "zig": (
        "sample.zig",
        [
            ("max_items", "constant", 5, 5, 5, None),
            ("Category", "enum", 7, 7, 7, None),
            ("food", "constant", 7, 7, 7, "Category"),
            ("Item", "struct", 9, 16, 9, None),
            ("sku", "field", 10, 10, 10, "Item"),
            ("restock", "method", 13, 15, 13, "Item"),
            ("Inventory", "struct", 18, 40, 18, None),
            ("items", "field", 19, 19, 19, "Inventory"),
            ("init", "method", 23, 25, 23, "Inventory"),
            ("add", "method", 27, 31, 27, "Inventory"),
            ("lowStock", "method", 33, 39, 33, "Inventory"),
            ("isLow", "function", 42, 44, 42, None),
        ],
        "std:2 log.zig:3 Item:13 ArrayList:19 Allocator:23 Self:23 init:24 append:29 info:30 isLow:36 "
        "Inventory:47 add:48 expect:49 lowStock:49",
    ),
    "perl": (
        "sample.pl",
        [
            ("MAX_ITEMS", "constant", 10, 10, 10, "Shop.Inventory"),  # use constant
            ("new", "function", 14, 18, 14, "Shop.Inventory"),  # in `package Shop::Inventory;`
            ("add", "function", 20, 27, 20, "Shop.Inventory"),
            ("_log", "function", 40, 43, 40, "Shop.Inventory"),
            ("Report", "module", 45, 50, 45, "Shop"),  # package Shop::Report { ... }
            ("render", "function", 46, 49, 46, "Shop.Report"),
        ],
        "List::Util:7 Base:8 bless:16 die:22 _log:25 sum:37 printf:42 join:48 low_stock:48",
    ),
    "hcl": (
        "sample.tf",
        [
            ("aws", "class", 6, 8, 6, None),  # provider "aws"
            ("region", "variable", 10, 13, 10, None),
            ("instance_count", "variable", 15, 18, 15, None),
            ("name_prefix", "constant", 21, 21, 21, None),  # in locals
            ("ubuntu", "class", 25, 28, 25, "aws_ami"),  # data "aws_ami" "ubuntu"
            ("network", "module", 30, 33, 30, None),
            ("web", "class", 35, 45, 35, "aws_instance"),  # resource "aws_instance" "web"
            ("web_ips", "field", 47, 49, 47, None),  # output
        ],
        "region:7 region:21 ./modules/network:31 cidrsubnet:32 instance_count:36 ubuntu:37 network:39 "
        "common_tags:40 merge:40 name_prefix:40 web:48",
    ),
    "sql": (
        "sample.sql",
        [
            ("items", "class", 2, 6, 2, None),
            ("sku", "field", 3, 3, 3, "items"),
            ("category_id", "field", 5, 5, 5, "items"),
            ("categories", "class", 8, 11, 8, None),
            ("items_by_category", "index", 13, 13, 13, None),
            ("low_stock", "class", 15, 19, 15, None),  # view
            ("restock", "function", 21, 23, 21, None),
        ],
        "categories:5 items:13 items:17 categories:18 items:22 items:25 low_stock:27 lower:27 restock:27",
    ),
}


def _extract(lang: str) -> tuple[list[Definition], list[Reference]]:
    filename = CASES[lang][0]
    return extract(lang, (TAGS / filename).read_bytes(), filename)


def test_every_language_has_a_fixture_case():
    assert set(CASES) == set(SPECS)
    for lang, (filename, _, _) in CASES.items():
        assert language_for(filename) == lang


@pytest.mark.parametrize("lang", sorted(SPECS))
def test_grammar_file_compiles(lang):
    path = grammars_dir() / f"{lang}-tags.scm"
    source = path.read_text(encoding="utf-8")
    assert re.match(r"; .+ tags for scout\. Written for scout; see grammars/README\.md\.", source)
    query = tags_query(lang)  # compiles grammars/<lang>-tags.scm against the pinned grammar
    assert isinstance(query, Query)
    names = {query.capture_name(i) for i in range(query.capture_count)}
    # only the tags convention (or `_`-prefixed helper captures used by predicates)
    for name in names:
        assert re.fullmatch(r"(name\.(definition|reference)\.\w+|definition\.\w+|_\w+|receiver)", name), name
    assert any(n.startswith("name.definition.") for n in names)
    assert any(n.startswith("name.reference.") for n in names)


@pytest.mark.parametrize("lang", sorted(CASES))
def test_definitions(lang):
    _, expected, _ = CASES[lang]
    defs, _ = _extract(lang)
    got = {(d.name, d.kind, d.start_line, d.end_line, d.name_line, d.parent) for d in defs}
    missing = [d for d in expected if d not in got]
    assert not missing, f"{lang}: missing {missing}\ngot {sorted(got, key=lambda t: t[2])}"
    # one definition per node: no name repeats with the same span
    spans = [(d.name, d.start_line, d.end_line, d.name_line) for d in defs]
    assert len(spans) == len(set(spans)), f"{lang}: duplicate definitions"
    for d in defs:
        assert d.start_line <= d.name_line <= d.end_line, d
        assert d.path == CASES[lang][0]


@pytest.mark.parametrize("lang", sorted(CASES))
def test_references(lang):
    _, _, spec = CASES[lang]
    expected = [(name, int(line)) for name, _, line in (w.rpartition(":") for w in spec.split())]
    _, refs = _extract(lang)
    got = {(r.name, r.line) for r in refs}
    missing = [r for r in expected if r not in got]
    assert not missing, f"{lang}: missing {missing}\ngot {sorted(got, key=lambda t: t[1])}"
    assert refs == sorted(refs, key=lambda r: (r.line, r.name))


@pytest.mark.parametrize(
    ("lang", "source", "expected"),
    [
        (
            "python",
            b"def ok():\n    return 1\n\nclass Broken(:\n    def method(self):\n        pass\n\n"
            b"def after():\n    s = '\xff\xfe'\n    return s\n",
            {("ok", 1), ("Broken", 4), ("method", 5), ("after", 8)},
        ),
        (
            "javascript",
            b"function ok() { return 1; }\nfunction broken( { }\nfunction after() { return '\xff'; }\n",
            {("ok", 1), ("after", 3)},
        ),
        (
            "go",
            b"package p\nfunc ok() int { return 1 }\nfunc broken( {\n}\n"
            b'func after() string { return "\xff" }\n',
            {("ok", 2), ("after", 5)},
        ),
        (
            "rust",
            b'fn ok() -> i32 { 1 }\nfn broken( {\n}\nfn after() -> &\'static str { "\xff" }\n',
            {("ok", 1), ("after", 4)},
        ),
        (
            "java",
            b'class A {\n  void ok() {}\n  void broken( { }\n  void after() { String s = "\xff"; }\n}\n',
            {("A", 1), ("ok", 2), ("after", 4)},
        ),
    ],
)
def test_invalid_bytes_and_syntax_errors_still_yield_definitions(lang, source, expected):
    defs, refs = extract(lang, source, "broken")
    assert expected <= {(d.name, d.name_line) for d in defs}
    assert all(isinstance(r, Reference) for r in refs)


def test_str_source_with_undecodable_text():
    defs, _ = extract("python", "def f():\n    return '\udcff'\n", "x.py")
    assert [(d.name, d.start_line, d.end_line) for d in defs] == [("f", 1, 2)]


def test_a_definition_is_not_a_reference_to_itself_unless_it_borrows_the_name():
    _, refs = _extract("elixir")  # `def add(a, b)` is a call node in Elixir's grammar
    got = {(r.name, r.line) for r in refs}
    assert not got & {("add", 17), ("add", 24), ("put_item", 32), ("with_stock", 40), ("max_items", 7)}
    assert ("put_item", 20) in got  # the call in add's body stays
    _, refs = _extract("rust")  # `impl Tokenizer` is a definition and a use of the type
    assert ("Tokenizer", 29) in {(r.name, r.line) for r in refs}


def test_a_bare_rust_mod_declaration_is_no_definition():
    defs, _ = extract("rust", (TAGS / "sample.rs").read_text(), "sample.rs")
    modules = [(d.name, d.start_line) for d in defs if d.kind == "module"]
    assert modules == [("tests", 72)]  # `mod lexer;` (line 96) only says lexer.rs is a module


def test_qualified_names_nest_under_what_encloses_them():
    source = (
        "defmodule Shop do\n"
        "  defmodule Inventory.Stock do\n"
        "    def count(s), do: Shop.Inventory.Stock.size(s)\n"
        "  end\n"
        "end\n"
    )
    defs, refs = extract("elixir", source, "lib/shop.ex")
    assert [(d.name, d.parent, d.qualname) for d in defs] == [
        ("Shop", None, "Shop"),
        ("Stock", "Shop.Inventory", "Shop.Inventory.Stock"),
        ("count", "Shop.Inventory.Stock", "Shop.Inventory.Stock.count"),
    ]
    assert {(r.name, r.kind) for r in refs} == {("size", "call"), ("Stock", "class")}


def test_every_language_has_its_name_in_the_benchmark_language_list():
    assert set(LANGUAGE_NAMES) == set(SPECS)


@pytest.mark.parametrize("lang", sorted(CASES))
def test_every_language_survives_garbage_in_the_middle(lang):
    data = (TAGS / CASES[lang][0]).read_bytes()
    half = len(data) // 2
    garbage_line = data[:half].count(b"\n") + 2
    broken = data[:half] + b"\n\xff\xfe\x00 }{)( \xc3\x28 <<< \n" + data[half:]
    defs, refs = extract(lang, broken, "broken")
    assert any(d.name_line < garbage_line for d in defs), defs
    assert refs


def test_scout_ask_answers_with_an_elixir_definition(tmp_path):
    """End to end: a repository whose code is Elixir is indexed and a definition question answered."""
    source = tmp_path / "src"
    (source / "lib" / "shop").mkdir(parents=True)
    shutil.copy(TAGS / "sample.ex", source / "lib" / "shop" / "inventory.ex")
    (source / "lib" / "shop" / "cart.ex").write_text(
        "defmodule Shop.Cart do\n  alias Shop.Inventory\n\n  def checkout(cart, inventory) do\n"
        "    inventory |> Inventory.low_stock() |> Enum.reject(&(&1.sku in cart.skus))\n  end\nend\n"
    )
    repo = committed_copy(source, tmp_path / "repo")
    out = run_scout("ask", "where is low_stock defined", "--repo", str(repo), "--json")
    assert out.returncode == 0, out.stderr
    top = json.loads(out.stdout)["answer"][0]
    assert (top["path"], top["start_line"], top["end_line"]) == ("lib/shop/inventory.ex", 26, 30)


def test_definitions_after_a_construct_the_grammar_trips_on_are_kept():
    # tree-sitter-kotlin cannot parse a primary constructor on its own line after annotations: the
    # rest of the file became one ERROR node and `Channel` (kotlinx.coroutines) was lost
    lines = [
        "@JvmInline",
        "public value class Result<out T>",
        "@PublishedApi internal constructor(@PublishedApi internal val holder: Any?) {",
        *[f"    val field{i}: Int = {i}" for i in range(25)],
        "}",
        "",
        "public interface Channel<E> : SendChannel<E> {",
        "    fun close(): Boolean",
        "}",
        "",
        "fun <E> makeChannel(): Channel<E> = TODO()",
    ]
    defs, refs = extract("kotlin", "\n".join(lines) + "\n")
    found = {(d.qualname, d.kind, d.start_line, d.end_line) for d in defs}
    assert ("Channel", "interface", 31, 33) in found
    assert ("Channel.close", "method", 32, 32) in found
    assert ("makeChannel", "function", 35, 35) in found
