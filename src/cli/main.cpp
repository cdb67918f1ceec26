#include <iostream>

int main() {
  std::cout << "dossier\n";
  return 0;
}
